/**
 * The upstream Identity API 1.4.0 schemas, as a generated client would enforce them: responses
 * are checked against the spec's own component schemas, not against Tessera's TypeBox copies.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import type { TestContext } from 'node:test';
import { fileURLToPath } from 'node:url';
import { Ajv } from 'ajv';
import addFormats from 'ajv-formats';
import { parse } from 'yaml';

import { needs } from './outside.ts';

const reference = fileURLToPath(new URL('../../../shared/reference/', import.meta.url));

/** Why schema checks are skipped (the reference files are not beside the clone), or false. */
export const referenceMissing = needs(
  `the upstream OpenAPI files (${reference})`,
  existsSync(reference),
  'check out the shared/ folder beside the repository to check responses against them',
);

/**
 * A subtest of `t` checking `value` against the schema `name` of a reference file (the
 * Identity API's when `file` is left out): skipped, with the reason, when the files are not there.
 */
export async function conformsTo(t: TestContext, file: string | undefined, name: string, value: unknown): Promise<void> {
  await t.test(`conforms to ${name} of ${file ?? 'the Identity API'}`, { skip: referenceMissing }, () => {
    assert.deepEqual(file ? vendorSchemaErrors(file, name, value) : upstreamSchemaErrors(name, value), [], name);
  });
}
const commonUrl = 'https://raw.githubusercontent.com/unikorn-cloud/core/main/pkg/openapi/common.spec.yaml';

type Spec = { components: { schemas: Record<string, unknown> } };
const load = (file: string): Spec => parse(readFileSync(`${reference}${file}`, 'utf8'));

/** Rewrites the spec's remote references to the common spec into local ones. */
function localRefs(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(localRefs);
  if (node && typeof node === 'object') {
    return Object.fromEntries(
      Object.entries(node).map(([key, value]) =>
        key === '$ref' && typeof value === 'string' ? [key, value.replace(`${commonUrl}#`, 'common#')] : [key, localRefs(value)],
      ),
    );
  }
  return node;
}

let ajv: Ajv | undefined;
function compiler(): Ajv {
  if (ajv) return ajv;
  ajv = new Ajv({ strict: false, allErrors: true });
  (addFormats as unknown as (a: Ajv) => void)(ajv);
  ajv.addSchema({ $id: 'common', ...(localRefs(load('unikorn-core-1.4.0.common.spec.yaml')) as object) });
  ajv.addSchema({ $id: 'identity', ...(localRefs(load('unikorn-identity-1.4.0.server.spec.yaml')) as object) });
  return ajv;
}

/** The errors a generated client would raise reading `value` as the spec's schema `name`; [] when it conforms. */
export function upstreamSchemaErrors(name: string, value: unknown): string[] {
  const validate = compiler().getSchema(`identity#/components/schemas/${name}`);
  if (!validate) throw new Error(`the Identity API has no schema ${name}`);
  return validate(value) ? [] : (validate.errors ?? []).map((e) => `${e.instancePath} ${e.message}`);
}

const vendors = new Map<string, Ajv>();

/**
 * The errors a client generated from a vendor's OpenAPI file (Docker Hub's, Mist's) would
 * raise reading `value` as its component schema `name`; [] when it conforms. The files mark
 * `required: true` inside properties, which is not JSON Schema: it is dropped, as clients do.
 */
export function vendorSchemaErrors(file: string, name: string, value: unknown): string[] {
  let ajv = vendors.get(file);
  if (!ajv) {
    ajv = new Ajv({ strict: false, allErrors: true });
    (addFormats as unknown as (a: Ajv) => void)(ajv);
    const text = readFileSync(`${reference}${file}`, 'utf8');
    const spec = file.endsWith('.json') ? JSON.parse(text) : parse(text);
    ajv.addSchema(
      JSON.parse(
        JSON.stringify(spec)
          .replace(/"required":true,?/g, '')
          .replace(/,}/g, '}'),
      ),
      'vendor',
    );
    vendors.set(file, ajv);
  }
  const validate = ajv.getSchema(`vendor#/components/schemas/${name}`);
  if (!validate) throw new Error(`${file} has no schema ${name}`);
  return validate(value) ? [] : (validate.errors ?? []).map((e) => `${e.instancePath} ${e.message}`);
}
