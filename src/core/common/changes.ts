/**
 * What an update changed, by wire field name, for the audit trail: the names only, never the
 * values (a changed secret is named, not shown).
 */
import type { Metadata, MetadataRecord } from './metadata.ts';

const same = (a: unknown, b: unknown) => JSON.stringify(a ?? null) === JSON.stringify(b ?? null);
const sorted = (ids: readonly string[] | undefined) => [...(ids ?? [])].sort();

/** `fields` maps a wire name to [before, after]; ID lists compare as sets. */
export function changedFields(fields: Record<string, [unknown, unknown]>): string[] {
  return Object.entries(fields)
    .filter(([, [before, after]]) => !same(before, after))
    .map(([name]) => name);
}

/** The metadata part of an update (name, description, tags). */
export function metadataChanges(current: MetadataRecord, next: Metadata | undefined): Record<string, [unknown, unknown]> {
  if (!next) return {};
  return {
    'metadata.name': [current.name, next.name],
    'metadata.description': [current.description || null, next.description || null],
    'metadata.tags': [current.tags ?? [], next.tags ?? []],
  };
}

/** An ID list field, compared as a set. */
export const idList = (before: readonly string[] | undefined, after: readonly string[] | undefined): [unknown, unknown] => [sorted(before), sorted(after)];
