// meshready HTML report: filters, paging of long finding lists, copy buttons, print support.
// The page is complete without this script; it only adds interaction.
// A long report keeps most findings of each rule in <noscript class="deferred"> elements: with
// JavaScript off the browser shows them as markup; with it on the browser keeps them as unparsed
// text, so the page opens fast, and this script parses a block when it is asked for (paging,
// filters, links, printing).
(() => {
  const PAGE_SIZE = 50;
  document.documentElement.classList.add('js');

  const form = document.getElementById('filters');
  const status = document.getElementById('filter-status');
  const totalFindings = Number(status?.dataset.total ?? 0);
  const groups = Array.from(document.querySelectorAll('#findings .rule-group'));
  const ruleRows = Array.from(document.querySelectorAll('.rule-table tbody tr'));
  const pageLimits = new Map();
  const searchTexts = new WeakMap();
  const deferredTexts = new WeakMap();
  // Handlebars' HTML escaping, to look for a search text in the unparsed markup.
  const ESCAPES = {
    '&': '&amp;',
    '<': '&lt;',
    '>': '&gt;',
    '"': '&quot;',
    "'": '&#x27;',
    '`': '&#x60;',
    '=': '&#x3D;',
  };

  function checkedValues(name) {
    return new Set(
      Array.from(form.querySelectorAll(`input[name="${name}"]:checked`), (input) => input.value),
    );
  }

  function currentFilter() {
    return {
      severities: checkedValues('severity'),
      statuses: checkedValues('status'),
      namespace: form.elements.namespace.value,
      text: form.elements.text.value.trim().toLowerCase(),
    };
  }

  function searchText(item) {
    let text = searchTexts.get(item);
    if (text === undefined) {
      text = item.textContent.toLowerCase();
      searchTexts.set(item, text);
    }
    return text;
  }

  function deferredText(noscript) {
    let text = deferredTexts.get(noscript);
    if (text === undefined) {
      text = noscript.textContent.toLowerCase();
      deferredTexts.set(noscript, text);
    }
    return text;
  }

  function escapeHtml(text) {
    return text.replace(/[&<>"'`=]/g, (c) => ESCAPES[c]);
  }

  /** How many findings of a deferred block the filter keeps, or undefined when only parsing it tells. */
  function deferredMatches(noscript, filter) {
    const present = noscript.dataset.severities.trim().split(/\s+/);
    const kept = present.filter((severity) => filter.severities.has(severity)).length;
    if (kept === 0) return 0;
    if (
      filter.namespace !== '' &&
      !noscript.textContent.includes(`data-ns="${escapeHtml(filter.namespace)}"`)
    )
      return 0;
    if (filter.text !== '') {
      // Text within one element appears escaped in the markup; text with spaces may span elements.
      const escaped = escapeHtml(filter.text).toLowerCase();
      return /\s/.test(filter.text) || deferredText(noscript).includes(escaped) ? undefined : 0;
    }
    if (kept < present.length || filter.namespace !== '') return undefined;
    return Number(noscript.dataset.count);
  }

  /** Parses a deferred block into the page, where the block was. */
  function materialize(noscript) {
    const template = document.createElement('template');
    template.innerHTML = noscript.textContent;
    noscript.replaceWith(template.content);
  }

  /** The namespace table's other rows, parsed and moved into the table. */
  function materializeRows() {
    const noscript = document.querySelector('#namespaces noscript.deferred-rows');
    if (!noscript) return;
    const template = document.createElement('template');
    template.innerHTML = noscript.textContent;
    document.querySelector('#namespaces tbody').append(...template.content.querySelectorAll('tbody tr'));
    noscript.remove();
    document.querySelector('#namespaces .rows-pager')?.remove();
  }

  /** The namespace filter's options, written as a list for the script: added when first needed. */
  function namespaceOptions() {
    const select = form.elements.namespace;
    if (!select.dataset.namespaces) return;
    const names = JSON.parse(select.dataset.namespaces);
    delete select.dataset.namespaces;
    select.append(...names.map((name) => new Option(name, name)));
  }

  function makePager(className, actions) {
    const pager = document.createElement('p');
    pager.className = className;
    const label = document.createElement('span');
    pager.append(label);
    for (const action of actions) {
      const button = document.createElement('button');
      button.type = 'button';
      button.className = 'more';
      button.dataset.action = action;
      pager.append(' ', button);
    }
    return pager;
  }

  function paginate(nsGroup, filter) {
    const limit = pageLimits.get(nsGroup) ?? PAGE_SIZE;
    let visible = 0;
    for (const item of nsGroup.querySelectorAll('.finding')) {
      if (item.hidden) {
        item.classList.remove('paged-out');
        continue;
      }
      visible++;
      item.classList.toggle('paged-out', visible > limit);
    }
    let waiting = 0;
    for (const noscript of nsGroup.querySelectorAll('noscript.deferred'))
      waiting += deferredMatches(noscript, filter) ?? 0;
    const total = visible + waiting;
    // Findings still waiting are one click away even when fewer than a page are shown.
    const rest = total - Math.min(visible, limit);
    let pager = nsGroup.querySelector(':scope > .pager');
    if (rest > 0) {
      if (!pager) {
        pager = makePager('pager', ['more', 'all']);
        nsGroup.append(pager);
      }
      pager.hidden = false;
      const [more, all] = pager.querySelectorAll('button');
      more.textContent = `Show ${Math.min(rest, PAGE_SIZE)} more`;
      all.textContent = `Show all ${total}`;
    } else if (pager) pager.hidden = true;
    return total;
  }

  /** The findings of the rule's namespaces that are still unparsed, behind a "show more" line. */
  function ruleRemainder(group, filter) {
    const body = group.querySelector('.rule-body');
    let waiting = 0;
    let namespaces = 0;
    for (const noscript of body.querySelectorAll(':scope > noscript.deferred')) {
      const count = deferredMatches(noscript, filter) ?? 0;
      waiting += count;
      if (count > 0) namespaces += Number(noscript.dataset.namespaces);
    }
    let pager = body.querySelector(':scope > .rule-pager');
    if (waiting > 0) {
      if (!pager) {
        pager = makePager('pager rule-pager', ['more-namespaces', 'all-namespaces']);
        body.append(pager);
      }
      pager.hidden = false;
      const [label, more, all] = pager.children;
      label.textContent = `${waiting} more ${waiting === 1 ? 'finding' : 'findings'} in ${namespaces} more ${namespaces === 1 ? 'namespace' : 'namespaces'}.`;
      more.textContent = 'Show more namespaces';
      all.textContent = `Show all ${waiting}`;
      more.hidden = namespaces === 1;
    } else if (pager) pager.hidden = true;
    return waiting;
  }

  function apply(announce) {
    const filter = currentFilter();
    for (const group of groups) {
      if (!filter.statuses.has(group.dataset.status)) continue;
      for (const noscript of group.querySelectorAll('noscript.deferred'))
        if (deferredMatches(noscript, filter) === undefined) materialize(noscript);
    }
    for (const item of document.querySelectorAll('#findings .finding')) {
      const match =
        filter.severities.has(item.dataset.severity) &&
        (filter.namespace === '' || item.dataset.ns === filter.namespace) &&
        (filter.text === '' || searchText(item).includes(filter.text));
      if (item.hidden === match) item.hidden = !match;
    }
    let shown = 0;
    let shownGroups = 0;
    for (const group of groups) {
      let inGroup = 0;
      if (filter.statuses.has(group.dataset.status)) {
        for (const nsGroup of group.querySelectorAll('.ns-group')) {
          const visible = paginate(nsGroup, filter);
          nsGroup.hidden = visible === 0;
          inGroup += visible;
        }
        inGroup += ruleRemainder(group, filter);
      }
      group.hidden = inGroup === 0;
      const counter = group.querySelector('.group-count');
      if (!counter.dataset.total) counter.dataset.total = counter.textContent;
      const total = Number.parseInt(counter.dataset.total.replace(/\D/g, ''), 10);
      counter.textContent =
        inGroup === total ? counter.dataset.total : `${inGroup} of ${counter.dataset.total}`;
      shown += inGroup;
      if (inGroup > 0) shownGroups++;
    }
    for (const row of ruleRows) {
      row.hidden = !(filter.statuses.has(row.dataset.status) && filter.severities.has(row.dataset.severity));
    }
    if (announce)
      status.textContent = `Showing ${shown} of ${totalFindings} open findings in ${shownGroups} of ${groups.length} rules.`;
  }

  let pending;
  function applySoon() {
    clearTimeout(pending);
    pending = setTimeout(() => apply(true), 120);
  }

  /** The element with this id, parsing the deferred block that holds it if need be. */
  function elementById(id) {
    const element = document.getElementById(id);
    if (element) return element;
    for (const noscript of document.querySelectorAll('noscript.deferred')) {
      if (!noscript.textContent.includes(`id="${id}"`)) continue;
      materialize(noscript);
      apply(false);
      return document.getElementById(id);
    }
    return null;
  }

  function reveal(target) {
    if (!target) return;
    const item = target.closest('.finding');
    if (item?.classList.contains('paged-out')) {
      const nsGroup = item.closest('.ns-group');
      pageLimits.set(nsGroup, Number.POSITIVE_INFINITY);
      paginate(nsGroup, currentFilter());
    }
    for (let node = target; node; node = node.parentElement) {
      if (node.tagName === 'DETAILS') node.open = true;
    }
  }

  function revealHash() {
    if (location.hash.length > 1) reveal(elementById(decodeURIComponent(location.hash.slice(1))));
  }

  function copyText(button) {
    const source = document.getElementById(button.dataset.copy);
    if (!source) return;
    const done = () => {
      button.textContent = 'Copied';
      button.classList.add('copied');
      setTimeout(() => {
        button.textContent = 'Copy commands';
        button.classList.remove('copied');
      }, 1500);
    };
    const fallback = () => {
      const range = document.createRange();
      range.selectNodeContents(source);
      const selection = window.getSelection();
      selection.removeAllRanges();
      selection.addRange(range);
      button.textContent = 'Press Ctrl+C';
    };
    if (navigator.clipboard?.writeText)
      navigator.clipboard.writeText(source.textContent).then(done, fallback);
    else fallback();
  }

  function showMore(button) {
    const filter = currentFilter();
    const action = button.dataset.action;
    if (action === 'all-rows') {
      materializeRows();
      return;
    }
    if (action === 'more' || action === 'all') {
      const nsGroup = button.closest('.ns-group');
      const shown = nsGroup.querySelectorAll('.finding:not([hidden]):not(.paged-out)').length;
      pageLimits.set(nsGroup, action === 'all' ? Number.POSITIVE_INFINITY : shown + PAGE_SIZE);
      for (const noscript of nsGroup.querySelectorAll('noscript.deferred')) materialize(noscript);
    } else {
      // The rule's next namespaces, about a page of findings, or all of them.
      const body = button.closest('.rule-body');
      let added = 0;
      for (const noscript of body.querySelectorAll(':scope > noscript.deferred')) {
        if (action === 'more-namespaces' && added >= PAGE_SIZE) break;
        const count = deferredMatches(noscript, filter) ?? 0;
        if (count === 0) continue;
        materialize(noscript);
        added += count;
      }
    }
    apply(false);
  }

  document.addEventListener('click', (event) => {
    const target = event.target instanceof Element ? event.target : null;
    if (!target) return;
    const copy = target.closest('button.copy');
    if (copy) {
      copyText(copy);
      return;
    }
    const more = target.closest('button.more');
    if (more) {
      showMore(more);
      return;
    }
    const nsFilter = target.closest('a.ns-filter');
    if (nsFilter) {
      namespaceOptions();
      form.elements.namespace.value = nsFilter.dataset.ns;
      apply(true);
      return;
    }
    const anchor = target.closest('a[href^="#"]');
    if (anchor) reveal(elementById(decodeURIComponent(anchor.getAttribute('href').slice(1))));
  });

  const openedForPrint = [];
  window.addEventListener('beforeprint', () => {
    for (const noscript of document.querySelectorAll('#findings noscript.deferred')) materialize(noscript);
    materializeRows();
    apply(false);
    for (const details of document.querySelectorAll('details:not([open])')) {
      details.open = true;
      openedForPrint.push(details);
    }
  });
  window.addEventListener('afterprint', () => {
    for (const details of openedForPrint.splice(0)) details.open = false;
  });

  if (form) {
    form.hidden = false;
    form.addEventListener('change', () => apply(true));
    form.addEventListener('input', (event) => {
      if (event.target.name === 'text') applySoon();
    });
    form.addEventListener('submit', (event) => event.preventDefault());
    for (const type of ['focus', 'pointerdown', 'keydown'])
      form.elements.namespace.addEventListener(type, namespaceOptions);
    if ('requestIdleCallback' in window) requestIdleCallback(namespaceOptions);
    else setTimeout(namespaceOptions, 0);
    form.addEventListener('reset', () => setTimeout(() => apply(true), 0));
  }
  const deferredRows = document.querySelector('#namespaces noscript.deferred-rows');
  if (deferredRows) {
    const pager = makePager('pager rows-pager', ['all-rows']);
    const count = Number(deferredRows.dataset.count);
    pager.firstChild.textContent = `${count} more ${count === 1 ? 'namespace' : 'namespaces'}.`;
    pager.querySelector('button').textContent = 'Show all namespaces';
    deferredRows.before(pager);
  }
  apply(false);
  window.addEventListener('hashchange', revealHash);
  revealHash();
})();
