// Elastic's bindings, shared by ES|QL, EQL and Lucene: category rules over Elastic Common Schema
// (Elastic Defend's documents, the ECS mapping table), service rules over Winlogbeat documents
// (`winlog.channel`, the event's own names under `winlog.event_data.`, EventID as `event.code`).

import type { SigmaLogsource } from '../../sigma/rule.js';
import type { Binding, TargetField } from '../dialect.js';
import { unsupported } from '../errors.js';
import { ecsSources, lower, SERVICE_CHANNELS } from '../sources.js';

export interface ElasticBinding extends Binding {
  /** `event.category` for category rules (EQL's event category), null for Winlogbeat channels. */
  ecsCategory: string | null;
}

const text = (name: string): TargetField => ({ name, type: 'string' });

export function elasticBindings(ls: SigmaLogsource): ElasticBinding[] {
  const product = lower(ls.product);
  if (product !== undefined && product !== 'windows') unsupported('logsource', `product '${ls.product}' has no index here`);
  const category = lower(ls.category);
  if (category !== undefined) {
    const sources = ecsSources(category);
    if (sources.length === 0) unsupported('logsource', `category '${ls.category}' has no ECS event category here`);
    return sources.map((s) => ({
      label: `ECS ${s.category}${s.types.length > 0 ? `/${s.types.join(',')}` : ''}`,
      source: s.category,
      ecsCategory: s.category,
      filters: [
        { field: text('event.category'), values: [s.category] },
        ...(s.types.length > 0 ? [{ field: text('event.type'), values: s.types }] : []),
        ...s.when.map(([f, values]) => ({ field: text(f), values })),
      ],
      field: (n) => {
        const f = s.fields.get(n);
        return f === undefined || f === null ? null : f;
      },
    }));
  }
  const service = lower(ls.service);
  const channel = service === undefined ? undefined : SERVICE_CHANNELS.get(service);
  if (channel === undefined) return unsupported('logsource', `logsource ${JSON.stringify(ls)} has no index here`);
  return [{
    label: `winlog ${channel}`,
    source: 'any',
    ecsCategory: null,
    filters: [{ field: text('winlog.channel'), values: [channel] }],
    field: (n) => {
      if (n === 'EventID') return text('event.code');
      if (n === 'Provider_Name') return text('winlog.provider_name');
      if (n === 'Channel') return text('winlog.channel');
      if (n === 'Computer') return text('winlog.computer_name');
      return /^[A-Za-z0-9_]+$/.test(n) ? text(`winlog.event_data.${n}`) : null;
    },
  }];
}
