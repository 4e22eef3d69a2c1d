// Accessibility checks in the browser tests: axe-core (pinned in package.json)
// injected into a Playwright page and run for the WCAG 2.0/2.1 A and AA rules
// (labels, colour contrast, names of buttons and links, image alternatives,
// ARIA attributes and roles, …). Returns the violations; `assertAccessible`
// fails a test on any, listing rule, element and summary.
//
// `exclude` names precise rule + selector pairs that come from Element Plus
// or Leaflet internals this project cannot change; each carries its reason.
// A whole rule is never switched off.
import assert from 'node:assert/strict'
import { createRequire } from 'node:module'
import { readFileSync } from 'node:fs'

const require = createRequire(import.meta.url)
const AXE_SOURCE = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8')

/** The WCAG 2 A/AA rule tags run (axe-core's own names). */
export const WCAG_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']

/**
 * Known exceptions, each a rule and the CSS selector of the elements it may
 * flag there (nothing else of that rule is ignored), and why.
 */
export const THIRD_PARTY_EXCEPTIONS = [
  {
    rule: 'list',
    selector: 'ul.el-upload-list--picture-card',
    why: "Element Plus's picture-card upload renders its add button (a div, role=button) as a child of the file list's <ul> (upload.vue puts the trigger in the list's append slot); our AttachmentUpload names the button, the markup is the library's",
  },
  {
    rule: 'aria-valid-attr-value',
    selector: '.el-autocomplete input[aria-activedescendant$="-item--1"]',
    why: 'Element Plus 2.14 autocomplete writes aria-activedescendant="<list>-item--1" (no item) while no suggestion is highlighted (autocomplete.vue: `${listboxId}-item-${highlightedIndex}`); set by the library at every key',
  },
]


/**
 * Run axe on the page (or on `include`, a CSS selector) and return its
 * violations, less the nodes that match a listed exception of that very rule
 * (THIRD_PARTY_EXCEPTIONS, and `also`: a page's own, each with its `why`).
 * Each violation: { id, impact, help, nodes: [{ target, html, summary }] }.
 */
export async function axeViolations(page, { include = null, also = [] } = {}) {
  const exceptions = [...THIRD_PARTY_EXCEPTIONS, ...also]
  // Evaluated through the DevTools protocol: the page's CSP (script-src 'self') refuses an inline <script>.
  if (!(await page.evaluate(() => typeof window.axe === 'object'))) await page.evaluate(AXE_SOURCE)
  const result = await page.evaluate(
    async ([inc, tags, exc]) => {
      const r = await window.axe.run(inc ? { include: [inc] } : document, {
        runOnly: { type: 'tag', values: tags },
        resultTypes: ['violations'],
      })
      return r.violations
        .map((v) => ({
          id: v.id,
          impact: v.impact,
          help: v.help,
          nodes: v.nodes
            .filter((n) => {
              const el = document.querySelector(n.target.join(' '))
              return !exc.some((x) => x.rule === v.id && el && el.matches(x.selector))
            })
            .map((n) => ({ target: n.target.join(' '), html: n.html.slice(0, 200), summary: n.failureSummary })),
        }))
        .filter((v) => v.nodes.length)
    },
    [include, WCAG_TAGS, exceptions.map(({ rule, selector }) => ({ rule, selector }))],
  )
  return result
}

/** Fail with a readable list when the page (or `include`) has violations. */
export async function assertAccessible(page, what, opts = {}) {
  const v = await axeViolations(page, opts)
  const text = v
    .map((x) => `${x.id} (${x.impact}): ${x.help}\n${x.nodes.map((n) => `    ${n.target}\n      ${n.html}\n      ${(n.summary || '').replace(/\n/g, ' ')}`).join('\n')}`)
    .join('\n')
  assert.equal(v.length, 0, `accessibility violations on ${what}:\n${text}`)
}
