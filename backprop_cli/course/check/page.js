"use strict";
// The answer sheet in the browser: keeps what is typed, saves the YAML sheet and, unless the page was made
// without feedback, marks every answer as `bptrace check` does. The recomputation of each blank comes from
// bptrace as an expression tree (recipe.py); the rules below compare a written number with its values, one
// small function per rule, each named after the function of check/digits.py or check/marking.py it follows.

const DATA = JSON.parse(document.getElementById("bptrace-data").textContent);

// ---- Numbers as written (digits.py) ----------------------------------------------------------------
const MIN_DIGITS = 2, RELATIVE = 1e-9, ABSOLUTE = 1e-12, HAND_LIMIT = 12;
const BLANKS = ["", "~", "null", "Null", "NULL"];
const NUMBER = /^([+\-\u2212]?)(\d*)(?:[.,](\d*))?(?:[eE]([+\-\u2212]?\d+))?$/;

function parse(text) { // digits.parse: {value, decimals, significant, digits, trailingZeros} or null
  const match = NUMBER.exec(text.trim());
  if (!match) return null;
  const [, sign, whole, fractionOrNone, exponent] = match;
  const fraction = fractionOrNone || "";
  if (!whole && !fraction) return null;
  const power = exponent ? parseInt(exponent.replace("\u2212", "-"), 10) : 0;
  const value = Number(`${sign && sign !== "+" ? "-" : ""}${whole || "0"}.${fraction || "0"}e${power}`);
  if (!Number.isFinite(value)) return null;
  const digits = (whole + fraction).replace(/^0+/, "");
  return {value: value + 0, decimals: fraction.length - power, significant: digits.length, digits,
    trailingZeros: fraction.length - fraction.replace(/0+$/, "").length};
}
function slack(value) { return RELATIVE * Math.abs(value) + ABSOLUTE; }
function same(w, value) { return Number.isFinite(value) && Math.abs(w.value - value) <= slack(value); }
function within(w, value, decimals) {
  return Number.isFinite(value) && Math.abs(w.value - value) <= 0.5 * Number(`1e${-decimals}`) + slack(value);
}
function sheetDecimals(value, n) { return decimalsFor(value, n === null ? MIN_DIGITS : n); }
function judgedDecimals(w) { // digits.judged_decimals: trailing zeros dropped while enough digits remain
  for (let dropped = w.trailingZeros; dropped >= 0; dropped--) {
    const decimals = w.decimals - dropped, significant = w.significant ? w.significant - dropped : 0;
    if (decimals >= MIN_DIGITS || significant >= MIN_DIGITS) return decimals;
  }
  return null;
}
function agrees(w, value, n) { // digits.agrees: the one rule of agreement
  if (same(w, value)) return true;
  const decimals = judgedDecimals(w);
  if (decimals !== null && within(w, value, decimals)) return true;
  const wanted = sheetDecimals(value, n);
  return w.decimals < wanted && within(w, value, wanted);
}
function toldDecimals(second, w, n) { // digits.told_apart: the decimals `first` and `second` are compared at
  const wanted = sheetDecimals(second, n), judged = judgedDecimals(w);
  const levels = judged === null ? [] : [judged];
  if (w.decimals < wanted || !levels.length) levels.push(wanted);
  return Math.min(...levels);
}
function toldApartFromAll(seconds, w, n) { // digits.told_apart of a value and each of `seconds`, all true?
  // Each second is rounded once, grouped by its decimals; a value is then rounded once per group.
  const groups = new Map(); // decimals → the seconds rounded to them
  for (const second of seconds) {
    if (!Number.isFinite(second)) continue; // no rounded finite value equals it: told apart from every one
    const decimals = toldDecimals(second, w, n);
    if (!groups.has(decimals)) groups.set(decimals, new Set());
    groups.get(decimals).add(roundHalfAway(second, decimals));
  }
  return (first) => [...groups].every(([decimals, rounded]) => !rounded.has(roundHalfAway(first, decimals)));
}
function tooFewDigits(w, value) { return judgedDecimals(w) === null && within(w, value, w.decimals); }

// ---- Hand rounding (engine/rounding.py), on the shortest decimal form of a float ---------------------
function decimalOf(x) { // |x| as [digits as a BigInt, exponent]: |x| = digits · 10^exponent
  const m = /^(\d+)(?:\.(\d+))?(?:e([+-]\d+))?$/.exec(String(Math.abs(x)));
  const fraction = m[2] || "";
  return [BigInt(m[1] + fraction), (m[3] ? parseInt(m[3], 10) : 0) - fraction.length];
}
const BITS = new DataView(new ArrayBuffer(8)); // one buffer, reused
function ulp(x) {
  BITS.setFloat64(0, Math.abs(x));
  BITS.setBigUint64(0, BITS.getBigUint64(0) + 1n);
  return BITS.getFloat64(0) - Math.abs(x);
}
const pow10 = (n) => 10n ** BigInt(n);
function roundHalfAway(value, decimals) { // rounding.round_half_away
  if (!Number.isFinite(value) || Math.abs(value) >= 2 ** 53) return value;
  let [digits, exponent] = decimalOf(value);
  // A float within one unit in the last place of a tie's float is the tie (0.35 · 0.7 is 0.245 on paper).
  const shift = exponent + decimals; // |value| · 10^decimals = digits · 10^shift
  const floor = shift >= 0 ? digits * pow10(shift) : digits / pow10(-shift);
  const tie = [floor * 10n + 5n, -(decimals + 1)];
  if (Math.abs(Math.abs(value) - Number(`${tie[0]}e${tie[1]}`)) <= ulp(value)) [digits, exponent] = tie;
  if (exponent < -decimals) { // round half up to `decimals` places
    const unit = pow10(-decimals - exponent);
    let kept = digits / unit;
    if ((digits % unit) * 2n >= unit) kept += 1n;
    [digits, exponent] = [kept, -decimals];
  }
  const rounded = Number(`${value < 0 ? "-" : ""}${digits}e${exponent}`);
  return rounded + 0;
}
function decimalsFor(value, n) {
  if (value === 0 || !Number.isFinite(value)) return n;
  return Math.max(n, n - 1 - Math.floor(Math.log10(Math.abs(value))));
}
function handRound(value, n) { return roundHalfAway(value, decimalsFor(value, n)); }
function truncated(value, decimals) { // marking.truncated: the digits after `decimals` places cut off
  if (!Number.isFinite(value) || Math.abs(value) >= 2 ** 53) return value;
  let [digits, exponent] = decimalOf(value);
  if (exponent < -decimals) [digits, exponent] = [digits / pow10(-decimals - exponent), -decimals];
  return Number(`${value < 0 ? "-" : ""}${digits}e${exponent}`) + 0;
}
function fixed(value, places) { // Python's f"{value:.{places}f}": the nearest, a tie to the even one
  const twice = Math.abs(value) * 2 ** (places + 1); // 2·|value|·10^places = twice · 5^places, exactly
  if (!Number.isInteger(twice) || twice >= 2 ** 53 || (BigInt(twice) * 5n ** BigInt(places)) % 2n === 0n) {
    return value.toFixed(places); // no tie: toFixed gives the nearest too
  }
  const down = BigInt(twice) * 5n ** BigInt(places) / 2n, kept = (down % 2n === 0n ? down : down + 1n).toString();
  const text = kept.padStart(places + 1, "0");
  const number = places ? `${text.slice(0, -places)}.${text.slice(-places)}` : text;
  return `${value < 0 ? "-" : ""}${number}`;
}

// ---- The functions of the activation and loss registries a recomputation calls ----------------------
const KINK = 1e-12, TINY = 2.2250738585072014e-308;
const sum = (xs) => xs.reduce((a, b) => a + b, 0);
function sigmoid(p) { const e = Math.exp(-Math.abs(p)); const d = 1 + e; return p >= 0 ? 1 / d : e / d; }
const G = {
  identity: (p) => p, sigmoid, tanh: Math.tanh,
  relu: (p) => (p > KINK ? p : 0),
  leaky_relu: (p, slope) => (p > KINK ? p : slope * (Math.abs(p) <= KINK ? 0 : p)),
};
const SLOPE = {
  identity: () => 1, relu: (p) => (p > KINK ? 1 : 0), leaky_relu: (p, slope) => (p > KINK ? 1 : slope),
  sigmoid: (p) => { const s = sigmoid(p); return s * (1 - s); },
  tanh: (p) => { const t = Math.tanh(p); return 1 - t * t; },
};
function softmax(p, k) { const m = Math.max(...p); const e = p.map((v) => Math.exp(v - m)); return e[k] / sum(e); }
const xlogy = (y, z) => (y === 0 ? 0 : y * Math.log(Math.max(z, TINY)));
const squares = (z, y) => sum(z.map((v, k) => (v - y[k]) * (v - y[k])));
const LOSS = {
  sse: (z, y) => squares(z, y), half_sse: (z, y) => 0.5 * squares(z, y), mse: (z, y) => squares(z, y) / z.length,
  cross_entropy: (z, y) => -sum(z.map((v, k) => xlogy(y[k], v))),
  bce: (z, y) => -sum(z.map((v, k) => xlogy(y[k], v) + xlogy(1 - y[k], 1 - v))),
};
const inverse = (z, y) => (y === 0 ? 0 : -y / Math.max(z, TINY));
const GRADIENT = {
  sse: (z, y) => 2 * (z - y), half_sse: (z, y) => z - y, mse: (z, y, K) => (2 * (z - y)) / K,
  cross_entropy: inverse, bce: (z, y) => inverse(z, y) + (y === 1 ? 0 : (1 - y) / Math.max(1 - z, TINY)),
};
function topOf(p) { let top = 0; p.forEach((v, j) => { if (v > p[top]) top = j; }); return top; }
function logsumexp(q) { const m = Math.max(...q); return m + Math.log(sum(q.map((v) => Math.exp(v - m)))); }
function softmaxLogs(p) {
  const top = topOf(p), m = Math.max(...p);
  const logTotal = Math.log1p(sum(p.map((v, j) => (j === top ? 0 : Math.exp(v - m)))));
  const logZ = p.map((v) => v - m - logTotal);
  if (p.length === 1) return [logZ, [-Infinity]];
  const others = logsumexp(p.map((v, j) => (j === top ? -Infinity : v))) - m - logTotal;
  return [logZ, logZ.map((v, j) => (j === top ? others : Math.log1p(-Math.min(Math.exp(v), 0.5))))];
}
function bceSoftmax(p, y, k) {
  const top = topOf(p), [logZ, logNot] = softmaxLogs(p), z = logZ.map(Math.exp);
  const u = p.map((_, j) => (j === top ? 0 : (1 - y[j]) * Math.exp(logZ[j] - logNot[j]) - y[j]));
  const rest = sum(u), yTop = y[top], zTop = z[top];
  const notTop = sum(z.map((v, j) => (j === top ? 0 : v)));
  if (k === top) return (1 - yTop) * zTop - notTop * yTop - zTop * rest;
  return u[k] - z[k] * rest + z[k] * yTop - (1 - yTop) * Math.exp(logZ[k] + (logZ[top] - logNot[top]));
}
const FUSED = {
  "cross_entropy softmax": (p, z, y, k) => z[k] * sum(y) - y[k],
  "cross_entropy sigmoid": (p, z, y, k) => -y[k] * (1 - z[k]),
  "bce sigmoid": (p, z, y, k) => z[k] - y[k],
  "bce softmax": (p, z, y, k) => bceSoftmax(p, y, k),
};

// ---- Evaluating a recomputation: values by key, rounding {n, results, factors, strict} or null (exact) -
function byHandRound(value, rounding) { // chain.by_hand's rounder: to n by hand, or to n decimals strictly
  return rounding.strict ? roundHalfAway(value, rounding.n) : handRound(value, rounding.n);
}
function evaluate(tree, values, rounding) {
  if (typeof tree === "number") return tree;
  const ev = (t) => evaluate(t, values, rounding), all = (ts) => ts.map(ev);
  switch (tree[0]) {
    case "ref": return values[tree[1]];
    case "+": return ev(tree[1]) + ev(tree[2]);
    case "-": return ev(tree[1]) - ev(tree[2]);
    case "*": return ev(tree[1]) * ev(tree[2]);
    case "/": return ev(tree[1]) / ev(tree[2]);
    case "neg": return -ev(tree[1]);
    case "sq": { const v = ev(tree[1]); return v * v; }
    case "round": { const v = ev(tree[2]); return rounding && rounding[tree[1]] ? byHandRound(v, rounding) : v; }
    case "g": return G[tree[1]](ev(tree[3]), tree[2]);
    case "g'": return SLOPE[tree[1]](ev(tree[3]), tree[2]);
    case "softmax": return softmax(all(tree[2]), tree[1]);
    case "J": return LOSS[tree[1]](all(tree[2]), all(tree[3]));
    case "dJ": { const z = all(tree[3]); return GRADIENT[tree[1]](z[tree[2]], ev(tree[4][tree[2]]), z.length); }
    case "fused": return FUSED[`${tree[1]} ${tree[2]}`](all(tree[4]), all(tree[5]), all(tree[6]), tree[3]);
    default: throw new Error(`unknown operation ${tree[0]}`);
  }
}

// ---- Marking (marking.py) ---------------------------------------------------------------------------
const TOO_FEW_DIGITS = `too few digits to judge: write at least ${MIN_DIGITS} decimals or ${MIN_DIGITS} significant digits`;
const TRUNCATED = "truncated";
const HAND_PRACTICES = [{results: true}, {results: false, factors: true}, {results: true, factors: true},
  {results: true, strict: true}];
const ROUNDING = DATA.marking ? DATA.marking.rounding : null; // the sheet's hand rounding N (null: none)

function handDigits(w, sheet) { // marking.hand_digits
  const n = Math.min(w.decimals, w.significant);
  const candidates = new Set([w.decimals, n]);
  if (w.digits.replace(/0+$/, "") === "1") candidates.add(n - 1);
  if (sheet !== null) candidates.add(sheet);
  return [...candidates].filter((c) => MIN_DIGITS <= c && c < HAND_LIMIT).sort((a, b) => a - b);
}
function byHand(digits, {results = true, factors = false, strict = false}) { // chain.by_hand
  return {n: Math.max(1, Math.min(digits, 15)), results, factors, strict};
}
function matches(w, value) { return agrees(w, value, ROUNDING); } // Marker.matches
function chains(tree, values, w) { // Marker.chains: exactly, then rounding what is not written
  const out = [evaluate(tree, values, null)];
  for (const n of handDigits(w, ROUNDING)) {
    for (const practice of HAND_PRACTICES) out.push(evaluate(tree, values, byHand(n, practice)));
  }
  return out;
}
function standIns(keys, answers, blanks) { // marking.stand_ins: each key with the answers written into it
  return keys.map((key) => {
    const values = {...key};
    for (const b of blanks) if (answers[b.path]) values[b.key] = answers[b.path].value;
    return values;
  });
}
function judge(blank, w, keys, owns, sound) { // Marker.judge: [verdict, the values a right answer could have]
  const right = keys.map((key) => key[blank.key]);
  if (right.some((v) => matches(w, v))) return ["correct", right];
  for (const values of sound) {
    right.push(...chains(blank.tree, values, w));
    if (right.some((v) => matches(w, v))) return ["correct", right];
  }
  for (const values of owns) {
    const mine = chains(blank.tree, values, w);
    if (mine.some((v) => matches(w, v))) return ["carried", right];
    right.push(...mine);
  }
  return ["wrong", right];
}
function explain(blank, w, owns, right) { // Marker.explain: {explains: name → said, shows: names}
  const found = {explains: new Map(), shows: new Set()};
  if (w.value === 0) return found;
  const apart = toldApartFromAll(right, w, ROUNDING);
  for (const [name, said, tree] of blank.mistakes) {
    const told = owns.flatMap((own) => chains(tree, own, w)).filter((v) => Number.isFinite(v) && apart(v));
    if (told.length) found.shows.add(name);
    if (told.some((v) => matches(w, v)) && !found.explains.has(name)) found.explains.set(name, said);
  }
  const d = w.decimals;
  const cut = right.filter(() => d >= 0 && d < HAND_LIMIT).map((r) => [r, truncated(r, d)])
    .filter(([r, t]) => t !== roundHalfAway(r, d));
  if (cut.length) found.shows.add(TRUNCATED);
  const hit = cut.find(([, t]) => same(w, t));
  if (hit) {
    const [r] = hit;
    found.explains.set(TRUNCATED, `truncated, not rounded: ${fixed(r, d + 2)}… rounds to ${fixed(roundHalfAway(r, d), d)}`);
  }
  return found;
}
function unmade(blank, w, owns, names, gives) { // Marker.unmade: the rules in names that would change w but do not
  // give it (`gives`: whether each mistake, by its index, gives w from these owns, as far as worked out)
  const listed = new Set(), given = new Set();
  blank.mistakes.forEach(([name, , tree], m) => {
    if (!names.has(name) || given.has(name)) return;
    listed.add(name);
    if (!gives.has(m)) gives.set(m, owns.some((own) => chains(tree, own, w).some((v) => matches(w, v))));
    if (gives.get(m)) given.add(name);
  });
  return [...listed].filter((name) => !given.has(name));
}
function nameMistakes(section, unmadeNames) { // marking.name_mistakes: [name, said] of each wrong answer, or null
  const contradicted = new Set(section.flatMap((f) => [...f.shows].filter((name) => !f.explains.has(name))));
  const counts = new Map();
  for (const f of section) for (const name of f.explains.keys()) counts.set(name, (counts.get(name) || 0) + 1);
  return section.map((f) => {
    let left = [...f.explains].filter(([name]) => !contradicted.has(name));
    if (!left.length) return null;
    const best = Math.max(...left.map(([name]) => counts.get(name)));
    left = left.filter(([name]) => counts.get(name) === best);
    return left.length === 1 && !unmadeNames.has(left[0][0]) ? left[0] : null;
  });
}
// A blank's verdict and what its mistakes give depend on nothing but its answer and the numbers its
// recomputations read (in owns and sound): they are kept with those and worked out again only where one of them
// has changed, so a keystroke re-marks the blanks it can affect and no other.
const JUDGED = []; // by the blank's index: {inputs, verdict, right, found (explain's, of a wrong answer), gives}
const refs = (tree) => (!Array.isArray(tree) ? [] : tree[0] === "ref" ? [tree[1]] : tree.flatMap(refs));
const READS = (DATA.marking ? DATA.marking.blanks : [])
  .map((b) => [...new Set(refs([b.tree, ...b.mistakes.map(([, , tree]) => tree)]))]);
const spelled = (value) => (Object.is(value, -0) ? "-0" : String(value)); // a float's own text, -0 not 0
function judged(i, blank, w, keys, owns, sound) { // judge and explain of blank i, worked out when its inputs change
  const read = [...owns, ...sound];
  const inputs = [JSON.stringify(w), ...READS[i].flatMap((key) => read.map((values) => spelled(values[key])))]
    .join(" ");
  if (!JUDGED[i] || JUDGED[i].inputs !== inputs) {
    const [verdict, right] = judge(blank, w, keys, owns, sound);
    const found = verdict === "wrong" ? explain(blank, w, owns, right) : null;
    JUDGED[i] = {inputs, verdict, right, found, gives: new Map()};
  }
  return JUDGED[i];
}
function mark(answers) { // Marker.mark: answers by path (parsed numbers) → a verdict per blank
  const {keys, blanks} = DATA.marking, full = keys[keys.length - 1];
  const owns = standIns(keys, answers, blanks);
  const sound = [...owns.map((own) => ({...own})), {...owns[owns.length - 1]}];
  const marks = [], wrong = new Map(), judgedRight = [];
  blanks.forEach((b, i) => {
    if (i && b.section !== blanks[i - 1].section) nameSection(marks, wrong, judgedRight, owns);
    const w = answers[b.path];
    if (!w) { marks.push({verdict: "blank"}); return; }
    const {verdict, right, found, gives} = judged(i, b, w, keys, owns, sound);
    if (verdict !== "correct") {
      keys.forEach((key, k) => { sound[k][b.key] = key[b.key]; });
      sound[sound.length - 1][b.key] = w.decimals >= 0 && w.decimals < HAND_LIMIT
        ? roundHalfAway(full[b.key], w.decimals) : full[b.key];
    }
    const few = verdict === "wrong" && right.some((v) => tooFewDigits(w, v));
    if (verdict === "wrong") wrong.set(marks.length, found);
    else judgedRight.push([b, w, gives]);
    marks.push(few ? {verdict, diagnosis: TOO_FEW_DIGITS} : {verdict});
  });
  nameSection(marks, wrong, judgedRight, owns);
  return marks;
}
function nameSection(marks, wrong, judgedRight, owns) { // the names of one step's wrong answers, where sure
  const rules = new Set([...wrong.values()].flatMap((f) => [...f.explains.keys()])
    .filter((name) => !DATA.marking.at_one_place.includes(name)));
  const unmadeNames = new Set(rules.size ? judgedRight.flatMap(([b, w, gives]) => unmade(b, w, owns, rules, gives))
    : []);
  const named = nameMistakes([...wrong.values()], unmadeNames);
  [...wrong.keys()].forEach((at, i) => {
    if (named[i]) marks[at] = {...marks[at], mistake: named[i][0], diagnosis: named[i][1]};
  });
  wrong.clear();
  judgedRight.length = 0;
}

// ---- The page -------------------------------------------------------------------------------------
const STORE = `bptrace-sheet:${DATA.id}`;
const fields = [...document.querySelectorAll("input[data-path]")];
const verdicts = fields.map((input) => document.querySelector(`[data-for="${CSS.escape(input.name)}"]`));
const notes = fields.map((input) => document.getElementById(`note-${input.id}`));
const student = document.querySelector('input[name="student"]');
const WORDS = {correct: "✓ correct", carried: "↷ carried", wrong: "✗ wrong", blank: "· blank"};

function typed() {
  const answers = {}, invalid = new Set();
  for (const input of fields) {
    const text = input.value.trim();
    if (BLANKS.includes(text)) continue;
    const w = parse(text);
    if (w) answers[input.name] = w; else invalid.add(input.name);
  }
  return {answers, invalid};
}
// Only what changes is written: an element written again, even with the same text, is laid out again.
function put(element, text) { if (element.textContent !== text) element.textContent = text; }
function putAttribute(element, name, value) {
  if (element.getAttribute(name) !== value) element.setAttribute(name, value);
}
function show() {
  const {answers, invalid} = typed();
  const marks = DATA.marking ? mark(answers) : null;
  const counts = {correct: 0, carried: 0, wrong: 0, blank: 0};
  fields.forEach((input, i) => {
    const out = verdicts[i], m = marks ? marks[i] : {verdict: answers[input.name] ? "answered" : "blank"};
    counts[m.verdict] = (counts[m.verdict] || 0) + 1;
    putAttribute(out, "data-verdict", m.verdict);
    put(out, invalid.has(input.name) ? "not a number" : (WORDS[m.verdict] || "answered"));
    put(notes[i], m.diagnosis || "");
    putAttribute(input, "aria-invalid", invalid.has(input.name) || m.verdict === "wrong" ? "true" : "false");
  });
  const score = document.getElementById("score");
  if (marks) {
    put(score, `Score: ${counts.correct + counts.carried} of ${fields.length} ` +
      `(${counts.correct} correct, ${counts.carried} carried, ${counts.wrong} wrong, ${counts.blank} blank)`);
  } else {
    put(score, `${fields.length - counts.blank} of ${fields.length} answered`);
  }
  showFirstMistake(marks ? marks.findIndex((m) => m.verdict === "wrong") : -1, marks);
}
function showFirstMistake(at, marks) { // as check's table: where to look first, a link to its field
  const line = document.getElementById("first-mistake");
  const said = at < 0 ? "" : marks[at].diagnosis;
  const text = at < 0 ? "" : `First mistake: ${DATA.marking.blanks[at].place}${said ? ` — ${said}` : ""}`;
  if (line.textContent === text && (at < 0 || line.firstChild.hash === `#${fields[at].id}`)) return;
  line.replaceChildren();
  if (at < 0) return;
  const link = document.createElement("a");
  link.href = `#${fields[at].id}`;
  link.textContent = text;
  link.addEventListener("click", (event) => { event.preventDefault(); fields[at].focus(); });
  line.append(link);
}
function keep() {
  const saved = {student: student.value, answers: {}};
  for (const input of fields) if (input.value !== "") saved.answers[input.name] = input.value;
  try { localStorage.setItem(STORE, JSON.stringify(saved)); } catch (e) { /* storage off: nothing kept */ }
}
function restore() {
  let saved = null;
  try { saved = JSON.parse(localStorage.getItem(STORE) || "null"); } catch (e) { saved = null; }
  if (!saved) return;
  student.value = saved.student || "";
  for (const input of fields) input.value = (saved.answers || {})[input.name] || "";
}
function yamlText() { // the worksheet's YAML with the typed numbers in place of its ~
  const {answers} = typed();
  const name = student.value.trim();
  const lines = [];
  const byPath = Object.fromEntries(fields.map((input) => [input.name, input.value.trim()]));
  for (const line of DATA.yaml) {
    if (typeof line === "string") { lines.push(line); continue; }
    const [before, path, comment] = line; // a blank's line: its number, then its comment at DATA.column
    const text = path === "student" ? (name ? JSON.stringify(name) : "~") : answers[path] ? byPath[path] : "~";
    lines.push(`${(before + text).padEnd(DATA.column - 2)}  # ${comment}`);
  }
  return lines.join("\n") + "\n";
}
function save() {
  const link = document.createElement("a");
  link.href = URL.createObjectURL(new Blob([yamlText()], {type: "application/yaml"}));
  link.download = `answers-${DATA.id}.yaml`;
  document.body.appendChild(link);
  link.click();
  link.remove();
}
function clearAll() {
  if (!window.confirm("Clear every answer on this page?")) return;
  for (const input of fields) input.value = "";
  student.value = "";
  try { localStorage.removeItem(STORE); } catch (e) { /* nothing kept */ }
  show();
}

restore();
for (const [i, input] of fields.entries()) {
  input.addEventListener("input", () => { keep(); show(); });
  input.addEventListener("keydown", (event) => {
    if (event.key !== "Enter") return;
    event.preventDefault();
    (fields[i + 1] || document.getElementById("save")).focus();
  });
}
student.addEventListener("input", keep);
document.getElementById("save").addEventListener("click", save);
document.getElementById("clear").addEventListener("click", clearAll);
show();
window.bptraceSheet = {parse, roundHalfAway, handRound, truncated, fixed, evaluate, mark, yamlText, show};
