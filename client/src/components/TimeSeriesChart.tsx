import { useEffect, useRef } from 'react';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { observationMeasurements } from '../omh.ts';

const COLORS = ['#1565c0', '#c62828', '#2e7d32', '#6a1b9a'];

interface Point {
  effectiveTime: string;
  omh: Record<string, unknown> | null;
  resource: Record<string, unknown> | null;
}

/** One uPlot chart of a patient's series for one code: a line per measured quantity, by effective time. */
export function TimeSeriesChart({ title, points }: { title: string; points: readonly Point[] }) {
  const host = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (!host.current) return;
    const sorted = [...points].sort((a, b) => a.effectiveTime.localeCompare(b.effectiveTime));
    const rows = sorted.map((p) => ({ t: Date.parse(p.effectiveTime) / 1000, m: observationMeasurements(p) }));
    const names = [...new Set(rows.flatMap((r) => r.m.map((m) => m.name)))];
    const units = new Map(rows.flatMap((r) => r.m.map((m) => [m.name, m.unit] as const)));
    const data: uPlot.AlignedData = [
      rows.map((r) => r.t),
      ...names.map((n) => rows.map((r) => r.m.find((m) => m.name === n)?.value ?? null)),
    ];
    const chart = new uPlot(
      {
        title,
        width: Math.max(320, host.current.clientWidth),
        height: 260,
        series: [
          {},
          ...names.map((n, i) => ({
            label: `${n}${units.get(n) ? ` (${units.get(n)})` : ''}`,
            stroke: COLORS[i % COLORS.length],
            width: 1.5,
            spanGaps: false,
            points: { show: rows.length < 200 },
          })),
        ],
        axes: [{}, { label: [...new Set(units.values())].join(', ') }],
      },
      data,
      host.current,
    );
    return () => chart.destroy();
  }, [title, points]);
  return <figure className="chart" ref={host} aria-label={`Chart: ${title}`} />;
}
