// Renders math spans with KaTeX and with MathJax 3 and reports, for each span and each engine, what went
// wrong: an error, or a control sequence left as text (what MathJax shows for a macro it reads as text).
// Input (stdin): a JSON list of {"tex": "...", "display": true|false}. Output (stdout): a JSON list, one
// {"katex": null | "message", "mathjax": null | "message"} per span, in the same order.
"use strict";

const fs = require("fs");
const katex = require("katex");
const { mathjax } = require("mathjax-full/js/mathjax.js");
const { TeX } = require("mathjax-full/js/input/tex.js");
const { liteAdaptor } = require("mathjax-full/js/adaptors/liteAdaptor.js");
const { RegisterHTMLHandler } = require("mathjax-full/js/handlers/html.js");
const { STATE } = require("mathjax-full/js/core/MathItem.js");
const { SerializedMmlVisitor } = require("mathjax-full/js/core/MmlTree/SerializedMmlVisitor.js");
require("mathjax-full/js/input/tex/base/BaseConfiguration.js");
require("mathjax-full/js/input/tex/ams/AmsConfiguration.js");
require("mathjax-full/js/input/tex/newcommand/NewcommandConfiguration.js");
require("mathjax-full/js/input/tex/boldsymbol/BoldsymbolConfiguration.js");

// The packages of MathJax's default TeX set-up as GitHub and Jupyter load it (boldsymbol is loaded there on
// first use). "noundefined" is left out on purpose: it would show an unknown macro as red text, here it
// is an error.
const adaptor = liteAdaptor();
RegisterHTMLHandler(adaptor);
const tex = new TeX({
  packages: ["base", "ams", "newcommand", "boldsymbol"],
  formatError: (jax, error) => { throw error; },
});
const page = mathjax.document("", { InputJax: tex });
const visitor = new SerializedMmlVisitor();

function withMathJax(span) {
  try {
    const mml = visitor.visitTree(page.convert(span.tex, { display: span.display, end: STATE.CONVERT }));
    const asText = /<mtext[^>]*>([^<]*(?:\\[A-Za-z]|{})[^<]*)<\/mtext>/.exec(mml);
    return asText ? `a control sequence shown as text: ${asText[1]}` : null;
  } catch (error) {
    return String(error.message || error);
  }
}

function withKatex(span) {
  try {
    const html = katex.renderToString(span.tex, { displayMode: span.display, throwOnError: true, strict: "error" });
    const asText = /<span class="mord text">.*?\\[A-Za-z]/.exec(html);
    return asText ? `a control sequence shown as text: ${asText[0]}` : null;
  } catch (error) {
    return String(error.message || error);
  }
}

const spans = JSON.parse(fs.readFileSync(0, "utf8"));
process.stdout.write(JSON.stringify(spans.map((span) => ({ katex: withKatex(span), mathjax: withMathJax(span) }))));
