/**
 * The few DOM members the browser tests use inside page.evaluate callbacks. The project compiles
 * without lib.dom (it is a Node tool), so callbacks cast `globalThis` to PageWindow; only the
 * type is imported, so nothing outside the callback is referenced when Playwright runs it.
 */
export interface PageElement {
  hidden: boolean;
  open: boolean;
  readonly dataset: Readonly<Record<string, string | undefined>>;
  readonly textContent: string | null;
  readonly offsetParent: unknown;
  closest(selector: string): PageElement | null;
  hasAttribute(name: string): boolean;
}

export interface PageDocument {
  querySelector(selector: string): PageElement | null;
  querySelectorAll(selector: string): Iterable<PageElement> & ArrayLike<PageElement>;
  getElementById(id: string): PageElement | null;
}

export interface AxeResults {
  readonly violations: readonly {
    readonly id: string;
    readonly impact: string | null;
    readonly nodes: readonly { readonly html: string }[];
  }[];
}

export interface PageWindow {
  readonly document: PageDocument;
  readonly navigator: { readonly clipboard: { readText(): Promise<string> } };
  readonly performance: {
    getEntriesByType(type: 'navigation'): { domContentLoadedEventEnd: number; loadEventEnd: number }[];
    getEntriesByName(name: string): { startTime: number }[];
  };
  readonly Event: new (type: string) => unknown;
  getSelection(): { toString(): string } | null;
  dispatchEvent(event: unknown): boolean;
  readonly __xss?: unknown;
  readonly axe: { run(context: PageDocument): Promise<AxeResults> };
}
