// The test parser itself: it reads what prom-client writes (every metric type, escaped label values) and refuses what
// the format does not allow, so the scrape tests that rely on it can fail.
import { Counter, Gauge, Histogram, Registry, Summary } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { labelValues, parsePrometheusText, valueOf } from './prom-text.js';

describe('the Prometheus text parser used by the tests', () => {
  it('reads a registry of every metric type, escapes included', async () => {
    const registry = new Registry();
    const counter = new Counter({ name: 't_things_total', help: 'Things.\nWith a second line and a \\ backslash.', labelNames: ['kind'], registers: [registry] });
    counter.inc({ kind: 'a "quoted"\nvalue\\' }, 2);
    counter.inc({ kind: 'plain' });
    new Gauge({ name: 't_level', help: 'Level.', registers: [registry] }).set(-1.5);
    const histogram = new Histogram({ name: 't_seconds', help: 'Time.', labelNames: ['platform'], buckets: [0.1, 1], registers: [registry] });
    histogram.observe({ platform: 'slack' }, 0.05);
    histogram.observe({ platform: 'slack' }, 5);
    new Summary({ name: 't_sizes', help: 'Sizes.', percentiles: [0.5], registers: [registry] }).observe(3);

    const families = parsePrometheusText(await registry.metrics());
    expect(families.get('t_things_total')).toMatchObject({ type: 'counter', help: 'Things.\nWith a second line and a \\ backslash.' });
    expect(valueOf(families, 't_things_total', { kind: 'a "quoted"\nvalue\\' })).toBe(2);
    expect(valueOf(families, 't_things_total')).toBe(3);
    expect(valueOf(families, 't_level')).toBe(-1.5);
    expect(valueOf(families, 't_seconds_bucket', { platform: 'slack', le: '0.1' })).toBe(1);
    expect(valueOf(families, 't_seconds_count', { platform: 'slack' })).toBe(2);
    expect(valueOf(families, 't_sizes_count')).toBe(1);
    expect(labelValues(families)).toContain('plain');
  });

  it.each([
    ['a sample of no declared family', 'x_total 1\n'],
    ['a TYPE after its samples', '# TYPE x counter\nx 1\n# TYPE x counter\n'],
    ['a TYPE given twice', '# TYPE x counter\n# TYPE x gauge\n'],
    ['an unknown type', '# TYPE x meter\n'],
    ['an unknown escape in HELP', '# HELP x a \\t b\n'],
    ['a bad metric name', '# TYPE 1x counter\n'],
    ['a bad label name', '# TYPE x counter\nx{1a="v"} 1\n'],
    ['an unquoted label value', '# TYPE x counter\nx{a=v} 1\n'],
    ['an unknown escape', '# TYPE x counter\nx{a="\\t"} 1\n'],
    ['an unterminated label value', '# TYPE x counter\nx{a="v} 1\n'],
    ['a label given twice', '# TYPE x counter\nx{a="1",a="2"} 1\n'],
    ['a value that is not a float', '# TYPE x gauge\nx one\n'],
    ['two spaces', '# TYPE x gauge\nx  1\n'],
    ['the same series twice', '# TYPE x counter\nx{a="1"} 1\nx{a="1"} 2\n'],
    ['a negative counter', '# TYPE x counter\nx -1\n'],
    ['no final newline', '# TYPE x counter\nx 1'],
    ['a histogram without +Inf', '# TYPE h histogram\nh_bucket{le="1"} 1\nh_sum 1\nh_count 1\n'],
    ['a histogram not cumulative', '# TYPE h histogram\nh_bucket{le="1"} 2\nh_bucket{le="+Inf"} 1\nh_sum 1\nh_count 1\n'],
    ['a histogram whose +Inf differs from _count', '# TYPE h histogram\nh_bucket{le="+Inf"} 2\nh_sum 1\nh_count 3\n'],
  ])('refuses %s', (_what, text) => {
    expect(() => parsePrometheusText(text)).toThrow();
  });
});
