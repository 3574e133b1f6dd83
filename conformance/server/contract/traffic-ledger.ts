import {
  jsonOf,
  mediaTypeOf,
  type Exchange,
  type Finding,
  type FindingRule,
} from '../subject/http-exchange.ts';
import { schemaErrors, type Contract } from './openapi-contract.ts';

const problemTypeBase = 'https://openminiapp.dev/errors/';

/**
 * Lines that betray a stack trace, a server file path or a URL to a file [API-014]: a stack frame, a
 * file URL, node_modules, an absolute path under a usual server directory, or a drive path.
 */
const leakPatterns: { pattern: RegExp; what: string }[] = [
  { pattern: /(^|\n)[ \t]*at /, what: 'a line starting with "at " (a stack frame)' },
  { pattern: /file:\/\//, what: 'a file URL' },
  { pattern: /node_modules\//, what: 'a node_modules path' },
  {
    pattern: /(^|[\s"'(=])\/(home|usr|var|opt|srv|app|root|tmp)\/[^\s"']+/,
    what: 'a server file path',
  },
  { pattern: /\b[A-Za-z]:\\[^\s"']+/, what: 'a drive path' },
];

function strings(value: unknown, out: string[] = []): string[] {
  if (typeof value === 'string') out.push(value);
  else if (Array.isArray(value)) for (const v of value) strings(v, out);
  else if (value && typeof value === 'object')
    for (const v of Object.values(value)) strings(v, out);
  return out;
}

/**
 * Every exchange of the run, each checked as it arrives against the OpenAPI document (status declared
 * for the operation, required headers, media type, body schema with Ajv 2020) and, for 4xx and 5xx,
 * against the problem-document rules. Cases read it to judge all the traffic of the run, whichever
 * case produced it.
 */
export class TrafficLedger {
  readonly exchanges: Exchange[] = [];
  private seq = 0;

  constructor(readonly contract: Contract) {}

  nextSeq(): number {
    return ++this.seq;
  }

  record(exchange: Exchange): void {
    exchange.findings = this.check(exchange);
    this.exchanges.push(exchange);
    // Keep memory flat on long runs: bodies of old bundle downloads are not needed for judging.
    if (this.exchanges.length > 20_000) this.exchanges.splice(0, 5_000);
  }

  findings(rule: FindingRule): { exchange: Exchange; finding: Finding }[] {
    const out = [];
    for (const exchange of this.exchanges) {
      for (const finding of exchange.findings)
        if (finding.rule === rule) out.push({ exchange, finding });
    }
    return out;
  }

  forOperation(operationId: string): Exchange[] {
    return this.exchanges.filter((e) => e.operation?.operationId === operationId);
  }

  check(exchange: Exchange): Finding[] {
    const found: Finding[] = [];
    const add = (rule: FindingRule, message: string) => found.push({ rule, message });
    if (exchange.status >= 500) add('server-error', `status ${exchange.status}`);
    // [API-175] every response, of any status and route, tells browsers not to sniff.
    const sniff = exchange.headers.get('x-content-type-options');
    if (sniff?.trim().toLowerCase() !== 'nosniff')
      add('nosniff', `X-Content-Type-Options is ${JSON.stringify(sniff)}, not nosniff`);
    const op = exchange.operation;
    if (op) this.checkContract(exchange, add);
    if (exchange.status >= 400 && exchange.method !== 'HEAD') this.checkProblem(exchange, add);
    return found;
  }

  private checkContract(
    exchange: Exchange,
    add: (rule: FindingRule, message: string) => void,
  ): void {
    const op = exchange.operation;
    if (!op) return;
    const rule = op.responses.get(String(exchange.status)) ?? op.responses.get('default');
    if (!rule) {
      add('contract', `status ${exchange.status} is not declared for ${op.operationId}`);
      return;
    }
    for (const header of rule.headers) {
      const value = exchange.headers.get(header.name);
      if (value === null) {
        if (header.required) add('contract', `required header ${header.name} is missing`);
        continue;
      }
      if (header.validate) {
        const candidate = header.integer && /^\d+$/.test(value) ? Number(value) : value;
        if (!header.validate(candidate)) {
          add(
            'contract',
            `header ${header.name}: ${JSON.stringify(value)} ${schemaErrors(header.validate).join('; ')}`,
          );
        }
      }
    }
    if (exchange.method === 'HEAD') return;
    if (rule.content.size === 0) {
      if (exchange.body.length > 0)
        add(
          'contract',
          `a ${exchange.status} of ${op.operationId} must have no body, got ${exchange.body.length} bytes`,
        );
      return;
    }
    const type = mediaTypeOf(exchange);
    if (!rule.content.has(type)) {
      add(
        'contract',
        `media type ${JSON.stringify(type)} is not one of ${[...rule.content.keys()].join(', ')}`,
      );
      return;
    }
    const validate = rule.content.get(type);
    if (!validate) return;
    const body = jsonOf(exchange);
    if (body === undefined) {
      add('contract', `the ${type} body is not JSON`);
      return;
    }
    if (!validate(body)) add('contract', `body: ${schemaErrors(validate).join('; ')}`);
  }

  private checkProblem(
    exchange: Exchange,
    add: (rule: FindingRule, message: string) => void,
  ): void {
    const type = mediaTypeOf(exchange);
    // [API-009] every 4xx and 5xx is application/problem+json, valid against problem.schema.json.
    if (type !== 'application/problem+json') {
      add(
        'problem-media-type',
        `media type is ${JSON.stringify(type)}, not application/problem+json`,
      );
    }
    const body = jsonOf<Record<string, unknown>>(exchange);
    if (!body || typeof body !== 'object' || Array.isArray(body)) {
      add('problem-fields', 'the body is not a JSON object');
      return;
    }
    const problem = this.contract.problem;
    if (!problem(body))
      add('problem-fields', `not a valid problem document: ${schemaErrors(problem).join('; ')}`);
    // [API-010] status equal to the HTTP status; code from the registry (the schema's enum).
    if (body.status !== exchange.status) {
      add(
        'problem-fields',
        `status member ${JSON.stringify(body.status)} differs from the HTTP status ${exchange.status}`,
      );
    }
    // [API-011] type is the registry URL of its code.
    if (typeof body.code === 'string' && body.type !== problemTypeBase + body.code) {
      add(
        'problem-type',
        `type ${JSON.stringify(body.type)} is not ${problemTypeBase}${body.code}`,
      );
    }
    // [API-014] no stack trace, file path or credential anywhere in the document.
    for (const text of strings(body)) {
      for (const { pattern, what } of leakPatterns) {
        if (pattern.test(text))
          add('problem-leak', `${what} in ${JSON.stringify(text.slice(0, 160))}`);
      }
      for (const secret of exchange.secrets) {
        if (secret.length >= 8 && text.includes(secret))
          add('problem-leak', "the request's credential is echoed");
      }
    }
  }
}
