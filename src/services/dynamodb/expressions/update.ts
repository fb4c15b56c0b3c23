/**
 * Applies a bound update expression (Developer Guide "Update expressions"): every SET value is
 * computed from the item as it was before the update, then SET, REMOVE, ADD and DELETE are applied
 * copy-on-write so the old item stays intact for ReturnValues and stream images.
 */
import { validation } from '../errors.js';
import { addNumbers } from '../numbers.js';
import { typeOf, type AttributeMap, type AttributeValue } from '../types.js';
import type { BoundOperand, BoundUpdate, Path } from './ast.js';
import { getPath } from './evaluate.js';

const missingAttribute = () => validation('The provided expression refers to an attribute that does not exist in the item');
const wrongType = () => validation('An operand in the update expression has an incorrect data type');
const invalidPath = () => validation('The document path provided in the update expression is invalid for update');

function value(item: AttributeMap, op: BoundOperand): AttributeValue {
  switch (op.k) {
    case 'value':
      return op.value;
    case 'path': {
      const v = getPath(item, op.path);
      if (v === undefined) throw missingAttribute();
      return v;
    }
    case 'if_not_exists':
      return getPath(item, op.path) ?? value(item, op.fallback);
    case 'list_append': {
      const a = value(item, op.a);
      const b = value(item, op.b);
      if (a.L === undefined || b.L === undefined) throw wrongType();
      return { L: [...a.L, ...b.L] };
    }
    case 'arith': {
      const a = value(item, op.a);
      const b = value(item, op.b);
      if (a.N === undefined || b.N === undefined) throw wrongType();
      return { N: addNumbers(a.N, b.N, op.op === '-') };
    }
    case 'size':
      throw wrongType();
  }
}

/** Writes (or removes, when `v` is undefined) the value at `path`, cloning each container on the way once. */
class Writer {
  private readonly cloned = new WeakSet<object>();

  constructor(readonly item: AttributeMap) {}

  private own(container: AttributeValue): AttributeValue {
    if (this.cloned.has(container)) return container;
    const copy: AttributeValue = container.M !== undefined ? { M: { ...container.M } } : { L: [...container.L!] };
    this.cloned.add(copy);
    return copy;
  }

  write(path: Path, v: AttributeValue | undefined): void {
    if (path.length === 1) {
      if (v === undefined) delete this.item[path[0] as string];
      else this.item[path[0] as string] = v;
      return;
    }
    let parent = this.item[path[0] as string];
    if (parent === undefined || (parent.M === undefined && parent.L === undefined)) throw invalidPath();
    parent = this.own(parent);
    this.item[path[0] as string] = parent;
    for (let i = 1; i < path.length - 1; i++) {
      const step = path[i]!;
      const child = typeof step === 'number' ? parent.L?.[step] : parent.M?.[step];
      if (child === undefined || (child.M === undefined && child.L === undefined) || (typeof step === 'number') !== (parent.L !== undefined)) throw invalidPath();
      const owned = this.own(child);
      if (typeof step === 'number') parent.L![step] = owned;
      else parent.M![step] = owned;
      parent = owned;
    }
    const last = path[path.length - 1]!;
    if (typeof last === 'number') {
      const list = parent.L;
      if (list === undefined) throw invalidPath();
      if (v === undefined) {
        if (last < list.length) list.splice(last, 1);
      } else if (last < list.length) list[last] = v;
      else list.push(v); // SET past the end appends (Developer Guide "Adding elements to a list")
    } else {
      const map = parent.M;
      if (map === undefined) throw invalidPath();
      if (v === undefined) delete map[last];
      else map[last] = v;
    }
  }
}

export interface UpdateResult {
  item: AttributeMap;
  /** The paths the update wrote, for UPDATED_OLD / UPDATED_NEW. */
  paths: Path[];
}

export function applyUpdate(old: AttributeMap, update: BoundUpdate): UpdateResult {
  const setValues = update.set.map((a) => value(old, a.value));
  const writer = new Writer({ ...old });
  update.set.forEach((a, i) => writer.write(a.path, setValues[i]));
  // Removing list elements by their original positions: highest index first.
  const removals = [...update.remove].sort((a, b) => {
    const x = a[a.length - 1];
    const y = b[b.length - 1];
    return typeof x === 'number' && typeof y === 'number' ? y - x : 0;
  });
  for (const path of removals) writer.write(path, undefined);
  for (const { path, value: v } of update.add) {
    const current = getPath(writer.item, path);
    if (current === undefined) {
      writer.write(path, v);
      continue;
    }
    const t = typeOf(v);
    if (t !== typeOf(current)) throw wrongType();
    if (t === 'N') writer.write(path, { N: addNumbers(current.N!, v.N!) });
    else {
      const members = current[t] as string[];
      const seen = new Set(members);
      writer.write(path, { [t]: [...members, ...(v[t] as string[]).filter((m) => !seen.has(m))] } as AttributeValue);
    }
  }
  for (const { path, value: v } of update.delete) {
    const current = getPath(writer.item, path);
    if (current === undefined) continue;
    const t = typeOf(v);
    if (t !== typeOf(current)) throw wrongType();
    const drop = new Set(v[t] as string[]);
    const remaining = (current[t] as string[]).filter((m) => !drop.has(m));
    writer.write(path, remaining.length === 0 ? undefined : ({ [t]: remaining } as AttributeValue));
  }
  const paths = [...update.set.map((a) => a.path), ...update.remove, ...update.add.map((a) => a.path), ...update.delete.map((a) => a.path)];
  return { item: writer.item, paths };
}
