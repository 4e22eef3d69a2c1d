#!/usr/bin/env node
// Validates the demo data of the command-and-rescue module (digital plans).
//
//   node data/plans/check.mjs [--today YYYY-MM-DD]
//
// No dependencies (Node 20). Exits 1 and names the file and entry of every
// problem. With --today it also lists the plans overdue for evaluation and
// for a drill as of that day (information only, never an error).

import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const repo = join(here, "..", "..");
const errors = [];
const err = (file, entry, msg) => errors.push(`${file}: ${entry}: ${msg}`);

// ── loading ────────────────────────────────────────────────────────────
function load(name) {
  const path = join(here, name);
  let text;
  try {
    text = readFileSync(path, "utf8");
  } catch (e) {
    err(name, "(file)", `cannot read: ${e.message}`);
    return null;
  }
  let value;
  try {
    value = JSON.parse(text);
  } catch (e) {
    err(name, "(file)", `invalid JSON: ${e.message}`);
    return null;
  }
  if (text !== JSON.stringify(value, null, 2) + "\n") {
    err(name, "(file)", "not in canonical form (JSON.stringify(v, null, 2) plus a final newline)");
  }
  if (!Array.isArray(value)) {
    err(name, "(file)", "top level must be an array");
    return null;
  }
  return value;
}

const types = load("incident-types.json") ?? [];
const departments = load("departments.json") ?? [];
const commands = load("commands.json") ?? [];
const plans = load("plans.json") ?? [];
const drills = load("drills.json") ?? [];
const triggers = load("revision-triggers.json") ?? [];

// The 17 team kinds, from the platform's default dictionaries.
const teamKinds = new Set();
{
  const rel = "crates/yingji/src/resources/mod.rs";
  try {
    const src = readFileSync(join(repo, rel), "utf8");
    const block = src.match(/"team_kind",\s*vec!\[([\s\S]*?)\]\s*,?\s*\)/);
    if (!block) err(rel, "team_kind", "dictionary not found");
    else for (const m of block[1].matchAll(/o\(\s*"([^"]+)"/g)) teamKinds.add(m[1]);
  } catch (e) {
    err(rel, "(file)", `cannot read: ${e.message}`);
  }
}

// Datong division codes (4/6/9/12 digits in the CSVs), padded to 12 digits.
const divisions = new Set();
for (const f of ["cities.csv", "counties.csv", "townships.csv", "villages.csv"]) {
  const rel = `data/datong/${f}`;
  try {
    const lines = readFileSync(join(repo, rel), "utf8").split(/\r?\n/).slice(1);
    for (const line of lines) {
      const code = line.split(",")[0].replace(/"/g, "").trim();
      if (/^\d+$/.test(code)) divisions.add(code.padEnd(12, "0"));
    }
  } catch (e) {
    err(rel, "(file)", `cannot read: ${e.message}`);
  }
}

// ── helpers ────────────────────────────────────────────────────────────
const METRICS = new Set([
  "deaths", "missing", "dead_or_missing", "trapped", "injured", "direct_loss_yuan", "affected_people",
  "relocated_people", "collapsed_houses", "burned_area_ha", "fire_duration_h", "magnitude",
  "rain_mm_24h", "evacuated_people", "blackout_households", "hazmat_leak", "cross_county",
]);
const FLAGS = new Set(["hazmat_leak", "cross_county"]);
const OPS = new Set([">=", ">", "<=", "<", "=="]);
const LEVELS = ["I", "II", "III", "IV"];
const PLAN_TYPES = new Set(["overall", "special", "department", "unit", "onsite"]);
const DRILL_KINDS = new Set(["tabletop", "live", "double_blind"]);
const DEPT_KINDS = new Set(["government", "party", "vertical", "enterprise", "military", "organisation", "unit"]);
const SOURCES = new Set(["plan-text", "reconstructed"]);

const str = (v) => typeof v === "string" && v.trim() !== "";
const isDate = (v) => {
  if (typeof v !== "string" || !/^\d{4}-\d{2}-\d{2}$/.test(v)) return false;
  const d = new Date(`${v}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === v;
};
const int = (v, min, max) => Number.isInteger(v) && v >= min && v <= max;
function checkDivisions(file, entry, list) {
  if (!Array.isArray(list) || list.length === 0) return err(file, entry, "divisions must be a non-empty array");
  for (const code of list) {
    if (typeof code !== "string" || !/^\d{12}$/.test(code)) err(file, entry, `division ${JSON.stringify(code)} is not a 12-digit code`);
    else if (!divisions.has(code)) err(file, entry, `division ${code} is not in data/datong`);
  }
}
// The significant prefix of a division code (2, 4, 6, 9 or 12 digits).
const prefix = (code) => {
  for (const n of [2, 4, 6, 9]) if (/^0*$/.test(code.slice(n))) return code.slice(0, n);
  return code;
};
const within = (code, area) => code.startsWith(prefix(area));
function unique(file, list, key) {
  const seen = new Set();
  for (const [i, x] of list.entries()) {
    const k = x?.[key];
    if (!str(k)) err(file, `#${i}`, `missing ${key}`);
    else if (seen.has(k)) err(file, k, `duplicate ${key}`);
    else seen.add(k);
  }
  return seen;
}

// ── incident types ─────────────────────────────────────────────────────
const F_TYPES = "incident-types.json";
const typeIndex = new Map();
function walkType(node, parent) {
  const entry = node?.code ?? "(no code)";
  if (!str(node?.code) || !/^[a-z_]+(\.[a-z_]+)*$/.test(node.code)) err(F_TYPES, entry, "code must be a dotted lower-case slug");
  else if (parent && !node.code.startsWith(parent.code + ".")) err(F_TYPES, entry, `code must extend its parent ${parent.code}`);
  else if (parent && node.code.split(".").length !== parent.code.split(".").length + 1) err(F_TYPES, entry, "code must add exactly one segment to its parent's");
  else if (!parent && node.code.includes(".")) err(F_TYPES, entry, "a category code has no dot");
  if (typeIndex.has(node.code)) err(F_TYPES, entry, "duplicate code");
  typeIndex.set(node.code, node);
  if (!str(node.name_zh)) err(F_TYPES, entry, "missing name_zh");
  if (!str(node.name_en)) err(F_TYPES, entry, "missing name_en");
  if (!["production_safety", "plan"].includes(node.grading)) err(F_TYPES, entry, `grading must be production_safety or plan, not ${JSON.stringify(node.grading)}`);
  if (!Array.isArray(node.children)) return err(F_TYPES, entry, "children must be an array");
  for (const c of node.children) walkType(c, node);
}
for (const t of types) walkType(t, null);
{
  const top = types.map((t) => t.code).join(",");
  if (top !== "natural,accident,public_health,social_security") err(F_TYPES, "(top level)", `the 4 categories must be natural, accident, public_health, social_security in that order, got ${top}`);
}
const typeExists = (code) => typeIndex.has(code);
// Does type `a` fall within type `b` (equal or a descendant)?
const typeWithin = (a, b) => a === b || a.startsWith(b + ".");
// The leaves under a type code (the type itself when it has no children).
function leaves(code) {
  const n = typeIndex.get(code);
  if (!n || n.children.length === 0) return [code];
  return n.children.flatMap((c) => leaves(c.code));
}

// ── departments ────────────────────────────────────────────────────────
const F_DEPTS = "departments.json";
const deptCodes = unique(F_DEPTS, departments, "code");
for (const d of departments) {
  const e = d?.code ?? "?";
  if (str(d?.code) && !/^[a-z_]+$/.test(d.code)) err(F_DEPTS, e, "code must be a lower-case slug");
  for (const f of ["name", "short", "name_en"]) if (!str(d?.[f])) err(F_DEPTS, e, `missing ${f}`);
  if (!DEPT_KINDS.has(d?.kind)) err(F_DEPTS, e, `kind must be one of ${[...DEPT_KINDS].join(", ")}`);
  if (d?.note !== undefined && !str(d.note)) err(F_DEPTS, e, "note, when present, must be text");
}

// ── commands ───────────────────────────────────────────────────────────
const F_CMDS = "commands.json";
const cmdCodes = unique(F_CMDS, commands, "code");
const cmdIndex = new Map(commands.map((c) => [c?.code, c]));
{
  const general = commands.filter((c) => c?.kind === "general").length;
  const special = commands.filter((c) => c?.kind === "special").length;
  if (general !== 1 || special !== 19) err(F_CMDS, "(all)", `the “1+19” structure needs 1 general and 19 special commands, got ${general}+${special}`);
}
for (const c of commands) {
  const e = c?.code ?? "?";
  if (str(c?.code) && !/^cmd\.[a-z_]+$/.test(c.code)) err(F_CMDS, e, "code must look like cmd.<slug>");
  if (!str(c?.name)) err(F_CMDS, e, "missing name");
  if (!str(c?.name_en)) err(F_CMDS, e, "missing name_en");
  if (!["general", "special"].includes(c?.kind)) err(F_CMDS, e, "kind must be general or special");
  if (!str(c?.commander)) err(F_CMDS, e, "missing commander");
  if (!deptCodes.has(c?.office)) err(F_CMDS, e, `office ${JSON.stringify(c?.office)} is not a department`);
  if (!Array.isArray(c?.members) || c.members.length === 0) err(F_CMDS, e, "members must be a non-empty array");
  else {
    for (const m of c.members) if (!deptCodes.has(m)) err(F_CMDS, e, `member ${JSON.stringify(m)} is not a department`);
    if (new Set(c.members).size !== c.members.length) err(F_CMDS, e, "duplicate member");
    if (!c.members.includes(c.office)) err(F_CMDS, e, "the office's department must be a member");
  }
  if (!Array.isArray(c?.incident_types) || c.incident_types.length === 0) err(F_CMDS, e, "incident_types must be a non-empty array");
  else for (const t of c.incident_types) if (!typeExists(t)) err(F_CMDS, e, `incident type ${JSON.stringify(t)} does not exist`);
  if (!SOURCES.has(c?.source)) err(F_CMDS, e, "source must be plan-text or reconstructed");
  if (c?.source === "plan-text" && !str(c?.source_ref)) err(F_CMDS, e, "a plan-text command needs source_ref");
}
// Every incident type that has a leaf is covered by some special command or the general one.
{
  const general = commands.find((c) => c?.kind === "general");
  for (const cat of types) {
    if (general && !general.incident_types?.includes(cat.code)) err(F_CMDS, general.code, `the general command must cover ${cat.code}`);
  }
}

// ── plans ──────────────────────────────────────────────────────────────
const F_PLANS = "plans.json";
const planCodes = unique(F_PLANS, plans, "code");
const planIndex = new Map(plans.map((p) => [p?.code, p]));
const PS_THRESHOLDS = {
  I: { deaths: 30, injured: 100, direct_loss_yuan: 100000000 },
  II: { deaths: 10, injured: 50, direct_loss_yuan: 50000000 },
  III: { deaths: 3, injured: 10, direct_loss_yuan: 10000000 },
  IV: { deaths: 1, injured: 1, direct_loss_yuan: 1 },
};
const lowerBound = (c) => (c.op === ">=" ? c.value : c.op === ">" ? c.value + 1e-9 : null);

for (const p of plans) {
  const e = p?.code ?? "?";
  if (str(p?.code) && !/^DT-[A-Z0-9]+(-[A-Z0-9]+)*$/.test(p.code)) err(F_PLANS, e, "code must look like DT-XX-YYYY");
  if (!str(p?.title)) err(F_PLANS, e, "missing title");
  if (!PLAN_TYPES.has(p?.type)) err(F_PLANS, e, `type must be one of ${[...PLAN_TYPES].join(", ")}`);
  if (!deptCodes.has(p?.owner)) err(F_PLANS, e, `owner ${JSON.stringify(p?.owner)} is not a department`);
  if (p?.command !== null && !cmdCodes.has(p?.command)) err(F_PLANS, e, `command ${JSON.stringify(p?.command)} is neither null nor a command`);
  if (p?.parent !== null) {
    if (!planCodes.has(p?.parent)) err(F_PLANS, e, `parent ${JSON.stringify(p?.parent)} is neither null nor a plan`);
    else if (p.parent === p.code) err(F_PLANS, e, "a plan cannot be its own parent");
  }
  if (p?.type === "overall" && p?.parent !== null) err(F_PLANS, e, "the overall plan has no parent");
  if (p?.type === "onsite" && planIndex.get(p?.parent)?.type !== "unit") err(F_PLANS, e, "an on-site plan's parent must be a unit plan");
  if (!Array.isArray(p?.incident_types) || p.incident_types.length === 0) err(F_PLANS, e, "incident_types must be a non-empty array");
  else {
    for (const t of p.incident_types) if (!typeExists(t)) err(F_PLANS, e, `incident type ${JSON.stringify(t)} does not exist`);
    const cmd = cmdIndex.get(p.command);
    if (cmd && Array.isArray(cmd.incident_types)) {
      for (const t of p.incident_types) {
        if (typeExists(t) && !cmd.incident_types.some((ct) => typeWithin(t, ct))) err(F_PLANS, e, `incident type ${t} is outside its command ${cmd.code}'s scope`);
      }
    }
  }
  checkDivisions(F_PLANS, e, p?.divisions);
  if (!str(p?.version)) err(F_PLANS, e, "missing version");
  if (!isDate(p?.published_on)) err(F_PLANS, e, `published_on ${JSON.stringify(p?.published_on)} is not a valid date`);
  if (!isDate(p?.last_evaluated_on)) err(F_PLANS, e, `last_evaluated_on ${JSON.stringify(p?.last_evaluated_on)} is not a valid date`);
  if (isDate(p?.published_on) && isDate(p?.last_evaluated_on) && p.last_evaluated_on < p.published_on) err(F_PLANS, e, "last_evaluated_on is before published_on");
  if (!int(p?.review_years, 1, 3)) err(F_PLANS, e, "review_years must be an integer from 1 to 3 (evaluate at least every 3 years)");
  if (!int(p?.drill_cycle_months, 1, 60)) err(F_PLANS, e, "drill_cycle_months must be an integer from 1 to 60");
  if (!str(p?.grading_basis)) err(F_PLANS, e, "missing grading_basis");
  if (!SOURCES.has(p?.source)) err(F_PLANS, e, "source must be plan-text or reconstructed");
  if (!Array.isArray(p?.levels) || p.levels.length === 0) {
    err(F_PLANS, e, "levels must be a non-empty array");
    continue;
  }
  // Levels: unique, listed from the highest (Ⅰ) down.
  const order = p.levels.map((l) => LEVELS.indexOf(l?.level));
  for (const [i, l] of p.levels.entries()) {
    const le = `${e} level ${l?.level ?? `#${i}`}`;
    if (!LEVELS.includes(l?.level)) err(F_PLANS, le, "level must be I, II, III or IV");
    if (i > 0 && order[i] <= order[i - 1]) err(F_PLANS, le, "levels must be unique and listed from the highest (I) down");
    if (!str(l?.name)) err(F_PLANS, le, "missing name");
    if (!str(l?.criteria_text)) err(F_PLANS, le, "missing criteria_text");
    if (!str(l?.commander)) err(F_PLANS, le, "missing commander");
    if (!Array.isArray(l?.criteria)) err(F_PLANS, le, "criteria must be an array (empty = activated only by decision)");
    else {
      for (const [j, c] of l.criteria.entries()) {
        const ce = `${le} criteria[${j}]`;
        if (!METRICS.has(c?.metric)) err(F_PLANS, ce, `unknown metric ${JSON.stringify(c?.metric)}`);
        if (!OPS.has(c?.op)) err(F_PLANS, ce, `unknown op ${JSON.stringify(c?.op)}`);
        if (typeof c?.value !== "number" || !Number.isFinite(c.value) || c.value < 0) err(F_PLANS, ce, "value must be a finite number ≥ 0");
        if (FLAGS.has(c?.metric) && !(c.op === "==" && c.value === 1)) err(F_PLANS, ce, `${c.metric} is a 0/1 flag: use == 1`);
        if (Object.keys(c ?? {}).some((k) => !["metric", "op", "value"].includes(k))) err(F_PLANS, ce, "only metric, op and value are allowed");
      }
      const keys = l.criteria.map((c) => `${c?.metric}${c?.op}`);
      if (new Set(keys).size !== keys.length) err(F_PLANS, le, "the same metric and op appear twice");
    }
    if (!Array.isArray(l?.tasks) || l.tasks.length < 4 || l.tasks.length > 8) err(F_PLANS, le, "tasks must be an array of 4 to 8 entries");
    else {
      for (const [j, t] of l.tasks.entries()) {
        const te = `${le} tasks[${j}]`;
        const kind = t?.assignee_kind;
        if (kind === "command") { if (!cmdCodes.has(t.assignee)) err(F_PLANS, te, `command ${JSON.stringify(t.assignee)} does not exist`); }
        else if (kind === "department") { if (!deptCodes.has(t.assignee)) err(F_PLANS, te, `department ${JSON.stringify(t.assignee)} does not exist`); }
        else if (kind === "team_kind") { if (!teamKinds.has(t.assignee)) err(F_PLANS, te, `team kind ${JSON.stringify(t.assignee)} is not one of the platform's ${teamKinds.size} team kinds`); }
        else err(F_PLANS, te, "assignee_kind must be command, department or team_kind");
        if (!str(t?.task)) err(F_PLANS, te, "missing task");
        if (!int(t?.within_minutes, 1, 10080)) err(F_PLANS, te, "within_minutes must be an integer from 1 to 10080");
      }
    }
  }
  // "死亡（含失踪）" is one sum (deaths + missing): a level whose text says
  // 含失踪 compares dead_or_missing, never deaths or missing alone, and no
  // level splits the sum into two thresholds of the same value.
  for (const l of p.levels ?? []) {
    const le = `${e} level ${l.level}`;
    const ms = (l.criteria ?? []).map((c) => c?.metric);
    if (str(l.criteria_text) && l.criteria_text.includes("含失踪")) {
      if (!ms.includes("dead_or_missing")) err(F_PLANS, le, "the text says 含失踪: compare dead_or_missing");
      if (ms.includes("deaths") || ms.includes("missing")) err(F_PLANS, le, "the text says 含失踪: deaths and missing are one sum (dead_or_missing), not separate thresholds");
    }
    for (const d of (l.criteria ?? []).filter((c) => c?.metric === "deaths")) {
      if ((l.criteria ?? []).some((c) => c?.metric === "missing" && c.op === d.op && c.value === d.value)) {
        err(F_PLANS, le, "deaths and missing with the same threshold: use dead_or_missing (one sum)");
      }
    }
  }
  // Thresholds must not fall as the level rises.
  for (let i = 0; i + 1 < p.levels.length; i++) {
    const hi = p.levels[i], lo = p.levels[i + 1];
    for (const ch of hi.criteria ?? []) {
      const bh = lowerBound(ch);
      if (bh === null) continue;
      for (const cl of lo.criteria ?? []) {
        const bl = lowerBound(cl);
        if (cl.metric === ch.metric && bl !== null && bh < bl) {
          err(F_PLANS, `${e} level ${hi.level}`, `${ch.metric} ${ch.op} ${ch.value} is below level ${lo.level}'s ${cl.op} ${cl.value}`);
        }
      }
    }
  }
  // Government plans whose types are all production-safety graded use the 493号令 thresholds.
  const psOnly = Array.isArray(p.incident_types) && p.incident_types.length > 0 &&
    p.incident_types.every((t) => typeExists(t) && leaves(t).every((x) => typeIndex.get(x).grading === "production_safety"));
  if (psOnly && ["special", "department"].includes(p.type)) {
    for (const l of p.levels) {
      const want = PS_THRESHOLDS[l.level];
      if (!want) continue;
      for (const [metric, value] of Object.entries(want)) {
        if (!(l.criteria ?? []).some((c) => c.metric === metric && c.op === ">=" && c.value === value)) {
          err(F_PLANS, `${e} level ${l.level}`, `production-safety plan lacks ${metric} >= ${value} (国务院令第493号)`);
        }
      }
    }
  }
}

// ── drills ─────────────────────────────────────────────────────────────
const F_DRILLS = "drills.json";
for (const [i, d] of drills.entries()) {
  const e = `#${i} ${d?.title ?? ""}`.trim();
  const plan = planIndex.get(d?.plan);
  if (!plan) err(F_DRILLS, e, `plan ${JSON.stringify(d?.plan)} does not exist`);
  if (!str(d?.title)) err(F_DRILLS, e, "missing title");
  if (!DRILL_KINDS.has(d?.kind)) err(F_DRILLS, e, "kind must be tabletop, live or double_blind");
  if (!isDate(d?.planned_on)) err(F_DRILLS, e, `planned_on ${JSON.stringify(d?.planned_on)} is not a valid date`);
  if (d?.held_on !== null && !isDate(d?.held_on)) err(F_DRILLS, e, `held_on ${JSON.stringify(d?.held_on)} is neither null nor a valid date`);
  checkDivisions(F_DRILLS, e, d?.divisions);
  if (plan && Array.isArray(d?.divisions) && Array.isArray(plan.divisions)) {
    for (const code of d.divisions) {
      if (typeof code === "string" && !plan.divisions.some((a) => within(code, a))) err(F_DRILLS, e, `division ${code} is outside plan ${plan.code}'s divisions`);
    }
  }
  if (!Array.isArray(d?.participants) || d.participants.length === 0) err(F_DRILLS, e, "participants must be a non-empty array");
  else {
    for (const x of d.participants) if (!deptCodes.has(x)) err(F_DRILLS, e, `participant ${JSON.stringify(x)} is not a department`);
    if (new Set(d.participants).size !== d.participants.length) err(F_DRILLS, e, "duplicate participant");
  }
  if (!int(d?.people, 1, 100000)) err(F_DRILLS, e, "people must be a positive integer");
  if (d?.evaluation !== null && !str(d?.evaluation)) err(F_DRILLS, e, "evaluation must be text or null");
  if (!Array.isArray(d?.problems) || d.problems.some((x) => !str(x))) err(F_DRILLS, e, "problems must be an array of texts");
  if (d?.held_on === null && (d?.evaluation !== null || d?.problems?.length)) err(F_DRILLS, e, "a drill not yet held has no evaluation and no problems");
  if (!SOURCES.has(d?.source)) err(F_DRILLS, e, "source must be plan-text or reconstructed");
}

// ── revision triggers ──────────────────────────────────────────────────
const F_TRIG = "revision-triggers.json";
unique(F_TRIG, triggers, "code");
if (triggers.length !== 8) err(F_TRIG, "(all)", `expected the 8 revision triggers, got ${triggers.length}`);
for (const t of triggers) {
  const e = t?.code ?? "?";
  if (str(t?.code) && !/^[a-z_]+$/.test(t.code)) err(F_TRIG, e, "code must be a lower-case slug");
  for (const f of ["text_zh", "text_en", "basis"]) if (!str(t?.[f])) err(F_TRIG, e, `missing ${f}`);
}

// ── report ─────────────────────────────────────────────────────────────
if (errors.length) {
  for (const m of errors) console.error(m);
  console.error(`\n${errors.length} problem(s) found`);
  process.exit(1);
}

const levels = plans.flatMap((p) => p.levels);
const byType = {};
for (const p of plans) byType[p.type] = (byType[p.type] ?? 0) + 1;
console.log(
  `ok: ${types.length} categories and ${typeIndex.size - types.length} sub-types; ` +
  `${commands.length} commands (1+${commands.length - 1}); ${departments.length} departments; ` +
  `${plans.length} plans (${Object.entries(byType).map(([k, v]) => `${k} ${v}`).join(", ")}); ` +
  `${levels.length} levels; ${levels.reduce((n, l) => n + l.tasks.length, 0)} tasks; ` +
  `${drills.length} drills; ${triggers.length} revision triggers; ${teamKinds.size} team kinds`,
);

const ti = process.argv.indexOf("--today");
if (ti > 0) {
  const today = process.argv[ti + 1];
  if (!isDate(today)) {
    console.error("--today needs a date YYYY-MM-DD");
    process.exit(2);
  }
  const shift = (date, months) => {
    const d = new Date(`${date}T00:00:00Z`);
    d.setUTCMonth(d.getUTCMonth() + months);
    return d.toISOString().slice(0, 10);
  };
  for (const p of plans) {
    const due = shift(p.last_evaluated_on, 12 * p.review_years);
    if (due < today) console.log(`evaluation overdue: ${p.code} ${p.title} (last ${p.last_evaluated_on}, due ${due})`);
  }
  for (const p of plans) {
    const held = drills.filter((d) => d.plan === p.code && d.held_on && d.held_on <= today).map((d) => d.held_on).sort();
    if (held.length === 0) continue;
    const last = held[held.length - 1];
    const due = shift(last, p.drill_cycle_months);
    if (due < today) console.log(`drill overdue: ${p.code} ${p.title} (last ${last}, cycle ${p.drill_cycle_months} months, due ${due})`);
  }
  const never = plans.filter((p) => !drills.some((d) => d.plan === p.code && d.held_on && d.held_on <= today));
  console.log(`never drilled: ${never.length} plan(s): ${never.map((p) => p.code).join(", ")}`);
}
