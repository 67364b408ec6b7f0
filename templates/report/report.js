// meshready HTML report: filters, paging of long finding lists, copy buttons, print support.
// The page is complete without this script; it only adds interaction.
(() => {
  const PAGE_SIZE = 50;
  document.documentElement.classList.add('js');

  const form = document.getElementById('filters');
  const status = document.getElementById('filter-status');
  const findings = Array.from(document.querySelectorAll('#findings .finding'));
  const groups = Array.from(document.querySelectorAll('#findings .rule-group'));
  const ruleRows = Array.from(document.querySelectorAll('.rule-table tbody tr'));
  const nsGroups = Array.from(document.querySelectorAll('#findings .ns-group'));
  const pageLimits = new Map();
  let searchTexts;

  function checkedValues(name) {
    return new Set(
      Array.from(form.querySelectorAll(`input[name="${name}"]:checked`), (input) => input.value),
    );
  }

  function pagerFor(nsGroup) {
    let pager = nsGroup.querySelector('.pager');
    if (!pager) {
      pager = document.createElement('p');
      pager.className = 'pager';
      const more = document.createElement('button');
      more.type = 'button';
      more.className = 'more';
      more.dataset.action = 'more';
      const all = document.createElement('button');
      all.type = 'button';
      all.className = 'more';
      all.dataset.action = 'all';
      pager.append(more, ' ', all);
      nsGroup.append(pager);
    }
    return pager;
  }

  function paginate(nsGroup) {
    const limit = pageLimits.get(nsGroup) ?? PAGE_SIZE;
    const items = nsGroup.querySelectorAll('.finding');
    let visible = 0;
    for (const item of items) {
      if (item.hidden) {
        item.classList.remove('paged-out');
        continue;
      }
      visible++;
      item.classList.toggle('paged-out', visible > limit);
    }
    const rest = visible - limit;
    if (rest > 0) {
      const pager = pagerFor(nsGroup);
      pager.hidden = false;
      const [more, all] = pager.querySelectorAll('button');
      more.textContent = `Show ${Math.min(rest, PAGE_SIZE)} more`;
      all.textContent = `Show all ${visible}`;
    } else {
      const pager = nsGroup.querySelector('.pager');
      if (pager) pager.hidden = true;
    }
    return visible;
  }

  function apply() {
    const severities = checkedValues('severity');
    const statuses = checkedValues('status');
    const namespace = form.elements.namespace.value;
    const text = form.elements.text.value.trim().toLowerCase();
    if (text && !searchTexts) searchTexts = findings.map((item) => item.textContent.toLowerCase());
    findings.forEach((item, index) => {
      const match =
        severities.has(item.dataset.severity) &&
        (namespace === '' || item.dataset.ns === namespace) &&
        (text === '' || searchTexts[index].includes(text));
      if (item.hidden === match) item.hidden = !match;
    });
    let shown = 0;
    let shownGroups = 0;
    for (const group of groups) {
      let inGroup = 0;
      const statusMatches = statuses.has(group.dataset.status);
      for (const nsGroup of group.querySelectorAll('.ns-group')) {
        const visible = statusMatches ? paginate(nsGroup) : 0;
        nsGroup.hidden = visible === 0;
        inGroup += visible;
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
      row.hidden = !(statuses.has(row.dataset.status) && severities.has(row.dataset.severity));
    }
    status.textContent = `Showing ${shown} of ${findings.length} open findings in ${shownGroups} of ${groups.length} rules.`;
  }

  let pending;
  function applySoon() {
    clearTimeout(pending);
    pending = setTimeout(apply, 120);
  }

  function reveal(target) {
    if (!target) return;
    const item = target.closest('.finding');
    if (item?.classList.contains('paged-out')) {
      const nsGroup = item.closest('.ns-group');
      pageLimits.set(nsGroup, Number.POSITIVE_INFINITY);
      paginate(nsGroup);
    }
    for (let node = target; node; node = node.parentElement) {
      if (node.tagName === 'DETAILS') node.open = true;
    }
  }

  function revealHash() {
    if (location.hash.length > 1) reveal(document.getElementById(decodeURIComponent(location.hash.slice(1))));
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
      const nsGroup = more.closest('.ns-group');
      const current = pageLimits.get(nsGroup) ?? PAGE_SIZE;
      pageLimits.set(nsGroup, more.dataset.action === 'all' ? Number.POSITIVE_INFINITY : current + PAGE_SIZE);
      paginate(nsGroup);
      return;
    }
    const nsFilter = target.closest('a.ns-filter');
    if (nsFilter) {
      form.elements.namespace.value = nsFilter.dataset.ns;
      apply();
      return;
    }
    const anchor = target.closest('a[href^="#"]');
    if (anchor) reveal(document.getElementById(decodeURIComponent(anchor.getAttribute('href').slice(1))));
  });

  const openedForPrint = [];
  window.addEventListener('beforeprint', () => {
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
    form.addEventListener('change', apply);
    form.addEventListener('input', (event) => {
      if (event.target.name === 'text') applySoon();
    });
    form.addEventListener('submit', (event) => event.preventDefault());
    form.addEventListener('reset', () => setTimeout(apply, 0));
  }
  for (const nsGroup of nsGroups) paginate(nsGroup);
  window.addEventListener('hashchange', revealHash);
  revealHash();
})();
