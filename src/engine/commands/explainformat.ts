/**
 * EXPLAIN's output formats (PostgreSQL's commands/explain.c: ExplainNode and the ExplainProperty* /
 * ExplainOpenGroup / ExplainCloseGroup writers): one walk of the plan tree (plannodes.ts) hands every property to
 * one writer, which prints it as TEXT, JSON, YAML or XML.
 *
 *     TEXT                         JSON                               YAML
 *     Sort                         [                                  - Plan:
 *       Sort Key: v                  {                                    Node Type: "Sort"
 *       ->  Seq Scan on t              "Plan": {                          ...
 *                                        "Node Type": "Sort",             Sort Key:
 *                                        ...                                - "v"
 *                                        "Sort Key": ["v"],               Plans:
 *                                        "Plans": [                         - Node Type: "Seq Scan"
 *                                          { "Node Type": "Seq Scan", "Parent Relationship": "Outer", ... }
 *
 * In text a node is one line — its name built from its type and targets ("Index Scan Backward using t_pkey on t",
 * "Hash Left Join", "HashSetOp Except"), the costs and actual rows appended — its properties indented beneath
 * and its children under "->". In the other formats the same facts are properties of a group per node ("Node
 * Type", "Strategy", "Scan Direction", "Index Name", "Relation Name", "Alias", "Join Type", "Startup Cost" …),
 * the children a "Plans" list, each labelled with its "Parent Relationship" (Outer, Inner, Member, Subquery,
 * InitPlan, SubPlan). A few figures differ by format as they do in explain.c: a count of zero rows removed is
 * left out of text only, a Sort's or Hash's memory line is several properties elsewhere (Prop 'split'), a node
 * that never ran is "(never executed)" in text and Actual Rows / Loops 0, its counts 0, elsewhere.
 *
 * The writer keeps explain.c's state: the indent and, for JSON and YAML, a stack saying whether the current
 * group has printed anything yet (JSON's commas, YAML's "- " of a list item).
 *
 * Simplifications: Parallel Aware and Async Capable are always false (no parallel query, no async append);
 * timing, BUFFERS, WAL and SETTINGS are never written (explain.ts refuses them); Planning / Execution Time are
 * 0.000 ms.
 */
import { notSupported } from '../errors.js';
import { fmtCost, costText } from '../optimizer/costsize.js';
import { quoteIdent } from '../optimizer/ruleutils.js';
import type { PlanNode, Prop, Format } from './plannodes.js';

/** escape_json: a JSON string literal */
export function escapeJson(s: string): string {
  let out = '"';
  for (const ch of s) {
    const c = ch.charCodeAt(0);
    if (ch === '"') out += '\\"';
    else if (ch === '\\') out += '\\\\';
    else if (ch === '\b') out += '\\b';
    else if (ch === '\f') out += '\\f';
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\t') out += '\\t';
    else if (c < 0x20) out += `\\u${c.toString(16).padStart(4, '0')}`;
    else out += ch;
  }
  return out + '"';
}

/** escape_xml */
const escapeXml = (s: string) => s.replace(/[&<>\r]/g, (c) => (c === '&' ? '&amp;' : c === '<' ? '&lt;' : c === '>' ? '&gt;' : '&#x0D;'));
/** ExplainXMLTag's name: characters XML does not allow in a tag become '-' ("Node Type" -> Node-Type) */
const xmlName = (s: string) => s.replace(/[^A-Za-z0-9_.-]/g, '-');

/** explain.c's ExplainState, its output half: the text so far, the indent, the grouping stack. */
export class ExplainWriter {
  str = '';
  indent = 0;
  private stack: number[] = [];
  constructor(readonly format: Format) {}

  get text() { return this.format === 'text'; }
  indentText() { this.str += ' '.repeat(this.indent * 2); }

  /** ExplainBeginOutput */
  begin() {
    switch (this.format) {
      case 'xml': this.str += '<explain xmlns="http://www.postgresql.org/2009/explain">\n'; this.indent++; return;
      case 'json': this.str += '['; this.stack.unshift(0); this.indent++; return;
      case 'yaml': this.stack.unshift(0); return;
      case 'text': return;
    }
  }

  /** ExplainEndOutput */
  end() {
    switch (this.format) {
      case 'xml': this.indent--; this.str += '</explain>'; return;
      case 'json': this.indent--; this.str += '\n]'; this.stack.shift(); return;
      case 'yaml': this.stack.shift(); return;
      case 'text': return;
    }
  }

  private jsonLineEnding() {
    if (this.stack[0] !== 0) this.str += ','; else this.stack[0] = 1;
    this.str += '\n';
  }

  private yamlLineStarting() {
    if (this.stack[0] === 0) this.stack[0] = 1;
    else { this.str += '\n'; this.indentText(); }
  }

  private xmlTag(name: string, closing: boolean, noWhitespace = false) {
    if (!noWhitespace) this.indentText();
    this.str += `<${closing ? '/' : ''}${xmlName(name)}>`;
    if (!noWhitespace) this.str += '\n';
  }

  /** ExplainOpenGroup: an object (labeled) or a list, named `label` inside its parent object (null: a list item) */
  openGroup(objtype: string, label: string | null, labeled: boolean) {
    switch (this.format) {
      case 'text': return;
      case 'xml': this.xmlTag(objtype, false); this.indent++; return;
      case 'json':
        this.jsonLineEnding();
        this.indentText();
        if (label !== null) this.str += `${escapeJson(label)}: `;
        this.str += labeled ? '{' : '[';
        this.stack.unshift(0);
        this.indent++;
        return;
      case 'yaml':
        this.yamlLineStarting();
        if (label !== null) { this.str += `${label}: `; this.stack.unshift(1); } else { this.str += '- '; this.stack.unshift(0); }
        this.indent++;
    }
  }

  /** ExplainCloseGroup */
  closeGroup(objtype: string, label: string | null, labeled: boolean) {
    void label;
    switch (this.format) {
      case 'text': return;
      case 'xml': this.indent--; this.xmlTag(objtype, true); return;
      case 'json':
        this.indent--;
        this.str += '\n';
        this.indentText();
        this.str += labeled ? '}' : ']';
        this.stack.shift();
        return;
      case 'yaml': this.indent--; this.stack.shift();
    }
  }

  /** ExplainProperty: one scalar; `numeric` values are written bare in JSON and YAML */
  property(label: string, unit: string | null, value: string, numeric: boolean) {
    switch (this.format) {
      case 'text': this.indentText(); this.str += unit ? `${label}: ${value} ${unit}\n` : `${label}: ${value}\n`; return;
      case 'xml': this.indentText(); this.xmlTag(label, false, true); this.str += escapeXml(value); this.xmlTag(label, true, true); this.str += '\n'; return;
      case 'json': this.jsonLineEnding(); this.indentText(); this.str += `${escapeJson(label)}: ${numeric ? value : escapeJson(value)}`; return;
      case 'yaml': this.yamlLineStarting(); this.str += `${label}: ${numeric ? value : escapeJson(value)}`;
    }
  }

  /** ExplainPropertyList */
  list(label: string, data: string[]) {
    switch (this.format) {
      case 'text': this.indentText(); this.str += `${label}: ${data.join(', ')}\n`; return;
      case 'xml':
        this.xmlTag(label, false);
        for (const d of data) this.str += `${' '.repeat(this.indent * 2 + 2)}<Item>${escapeXml(d)}</Item>\n`;
        this.xmlTag(label, true);
        return;
      case 'json': this.jsonLineEnding(); this.indentText(); this.str += `${escapeJson(label)}: [${data.map(escapeJson).join(', ')}]`; return;
      case 'yaml':
        this.yamlLineStarting();
        this.str += `${label}: `;
        for (const d of data) this.str += `\n${' '.repeat(this.indent * 2 + 2)}- ${escapeJson(d)}`;
    }
  }

  textProp(label: string, value: string) { this.property(label, null, value, false); }
  int(label: string, unit: string | null, value: number) { this.property(label, unit, String(value), true); }
  float(label: string, unit: string | null, value: number, digits: number) { this.property(label, unit, value.toFixed(digits), true); }
  bool(label: string, value: boolean) { this.property(label, null, value ? 'true' : 'false', true); }
}

export interface EmitOptions { analyze: boolean; costs: boolean; verbose: boolean }

/** One property as each format writes it. */
function emitProp(w: ExplainWriter, p: Prop) {
  switch (p.kind) {
    case 'text': w.textProp(p.label, p.value); return;
    case 'list': w.list(p.label, p.value); return;
    case 'int': w.int(p.label, p.unit ?? null, p.value); return;
    case 'float': w.float(p.label, p.unit ?? null, p.value, p.digits); return;
    case 'bool': w.bool(p.label, p.value); return;
    case 'count': if (!w.text || p.value > 0) w.float(p.label, null, p.value, 0); return;
    case 'split':
      if (w.text) for (const l of p.text) { w.indentText(); w.str += l + '\n'; }
      else for (const x of p.props) emitProp(w, x);
  }
}

/** The node's first line in text: its name, its index and target, its join type (ExplainNode's pname and the rest). */
export function textName(p: PlanNode, verbose: boolean): string {
  let s: string;
  switch (p.type) {
    case 'Aggregate': s = { Plain: 'Aggregate', Sorted: 'GroupAggregate', Hashed: 'HashAggregate', Mixed: 'MixedAggregate' }[p.strategy ?? 'Plain']; break;
    case 'SetOp': s = p.strategy === 'Hashed' ? 'HashSetOp' : 'SetOp'; break;
    case 'ModifyTable': s = p.operation!; break;
    case 'Hash Join': s = 'Hash'; break;
    case 'Merge Join': s = 'Merge'; break;
    default: s = p.type;
  }
  if (p.scanDir) s += `${p.scanDir === 'Backward' ? ' Backward' : ''} using ${quoteIdent(p.indexName!)}`;
  else if (p.indexName) s += ` on ${quoteIdent(p.indexName)}`;
  const t = p.target;
  if (t) {
    s += ' on';
    if (verbose && t.schema && t.object !== null) s += ` ${quoteIdent(t.schema)}.${quoteIdent(t.object)}`;
    else if (t.object !== null) s += ` ${quoteIdent(t.object)}`;
    if (t.object === null || t.alias !== t.object) s += ` ${quoteIdent(t.alias)}`;
  }
  if (p.joinType) {
    if (p.joinType !== 'Inner') s += ` ${p.joinType} Join`;
    else if (p.type !== 'Nested Loop') s += ' Join';
  }
  if (p.command) s += ` ${p.command}`;
  return s;
}

/** How a child hangs under its parent (ExplainNode's relationship argument). */
const memberOf = (p: PlanNode): string | null =>
  (['Append', 'MergeAppend', 'BitmapOr', 'BitmapAnd'].includes(p.type) ? 'Member' : p.type === 'Subquery Scan' ? 'Subquery' : null);

/** ExplainNode: one node and, beneath it, its InitPlans, children and SubPlans. */
export function explainNode(w: ExplainWriter, p: PlanNode, relationship: string | null, planName: string | null, es: EmitOptions) {
  const saveIndent = w.indent;
  if (w.text) {
    if (planName) { w.indentText(); w.str += planName + '\n'; w.indent++; }
    if (w.indent) { w.indentText(); w.str += '->  '; w.indent += 2; }
    w.str += textName(p, es.verbose);
    w.indent++;
  } else {
    w.openGroup('Plan', relationship ? null : 'Plan', true);
    w.textProp('Node Type', p.type);
    if (p.strategy) w.textProp('Strategy', p.strategy);
    if (p.partialMode) w.textProp('Partial Mode', p.partialMode);
    if (p.operation) w.textProp('Operation', p.operation);
    if (relationship) w.textProp('Parent Relationship', relationship);
    if (planName) w.textProp('Subplan Name', planName);
    w.bool('Parallel Aware', false);
    w.bool('Async Capable', false);
    if (p.scanDir) w.textProp('Scan Direction', p.scanDir);
    if (p.indexName) w.textProp('Index Name', p.indexName);
    const t = p.target;
    if (t) {
      if (t.tag && t.object !== null) w.textProp(t.tag, t.object);
      if (es.verbose && t.schema && t.object !== null) w.textProp('Schema', t.schema);
      w.textProp('Alias', t.alias);
    }
    if (p.joinType) w.textProp('Join Type', p.joinType);
    if (p.command) w.textProp('Command', p.command);
  }
  if (es.costs && p.cost) {
    if (w.text) w.str += `  ${costText(p.cost)}`;
    else {
      w.property('Startup Cost', null, fmtCost(p.cost.startup), true);
      w.property('Total Cost', null, fmtCost(p.cost.total), true);
      w.int('Plan Rows', null, Math.round(p.cost.rows));
      w.int('Plan Width', null, p.cost.width);
    }
  }
  const ran = es.analyze && p.rows !== null;
  if (es.analyze) {
    if (ran) {
      if (w.text) w.str += ` (actual rows=${p.rows} loops=${p.loops ?? 1})`;
      else { w.float('Actual Rows', null, p.rows!, 0); w.float('Actual Loops', null, p.loops ?? 1, 0); }
    } else if (w.text) w.str += ' (never executed)';
    else { w.float('Actual Rows', null, 0, 0); w.float('Actual Loops', null, 0, 0); }
  }
  if (w.text) w.str += '\n';
  if (es.verbose) {
    // show_plan_tlist (an Append's is suppressed)
    if (p.output === undefined && p.type !== 'Append') throw notSupported(`EXPLAIN (VERBOSE) of a ${p.type} (its Output is not worked out here)`);
    if (p.output?.length) w.list('Output', p.output);
  }
  // the join's inner side proven unique: always outside text, in text only under VERBOSE when it is
  if (p.joinType && (!w.text || es.verbose)) {
    if (p.innerUnique === null || p.innerUnique === undefined) throw notSupported(`EXPLAIN ${w.text ? '(VERBOSE)' : `(FORMAT ${w.format.toUpperCase()})`} of a join whose inner side's uniqueness is not worked out here (Inner Unique)`);
    if (!w.text || p.innerUnique) w.bool('Inner Unique', p.innerUnique);
  }
  for (const pr of p.props) {
    if (!pr.analyze || ran) emitProp(w, pr);
    // a node that never ran: outside text its instrumentation counts still print, as zero (show_instrumentation_count)
    else if (es.analyze && !w.text && pr.kind === 'count') emitProp(w, { ...pr, value: 0 });
  }
  const hasChildren = !!(p.initPlans?.length || p.children.length || p.subPlans?.length);
  if (hasChildren) w.openGroup('Plans', 'Plans', false);
  for (const ip of p.initPlans ?? []) explainNode(w, ip.plan, 'InitPlan', ip.label, es);
  const member = memberOf(p);
  p.children.forEach((c, i) => explainNode(w, c, member ?? (i === 0 ? 'Outer' : 'Inner'), null, es));
  for (const sp of p.subPlans ?? []) explainNode(w, sp.plan, 'SubPlan', sp.label, es);
  if (hasChildren) w.closeGroup('Plans', 'Plans', false);
  if (w.text) w.indent = saveIndent;
  else w.closeGroup('Plan', relationship ? null : 'Plan', true);
}
