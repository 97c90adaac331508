// A small line chart for the progress journal: a few dozen points, drawn as SVG, so the
// public page carries no charting library.
import type { Lang } from "../lib/time";
import { formatDate } from "../lib/time";

export interface Point {
  date: string;
  value: number;
}

export function LineChart({ points, label, lang, color = "#0369a1" }: { points: Point[]; label: string; lang: Lang; color?: string }) {
  if (points.length === 0) return null;
  const width = 320;
  const height = 140;
  const pad = { left: 36, right: 10, top: 10, bottom: 24 };
  const values = points.map((p) => p.value);
  const min = Math.min(...values);
  const max = Math.max(...values);
  const span = max - min || 1;
  const x = (i: number) => pad.left + (points.length === 1 ? (width - pad.left - pad.right) / 2 : (i * (width - pad.left - pad.right)) / (points.length - 1));
  const y = (v: number) => pad.top + ((max - v) * (height - pad.top - pad.bottom)) / span;
  const path = points.map((p, i) => `${i === 0 ? "M" : "L"}${x(i).toFixed(1)},${y(p.value).toFixed(1)}`).join(" ");
  const first = points[0];
  const last = points[points.length - 1];
  return (
    <figure className="flex flex-col gap-1">
      <figcaption className="text-sm font-medium text-slate-700">{label}</figcaption>
      <svg viewBox={`0 0 ${width} ${height}`} role="img" aria-label={`${label}: ${first?.value} → ${last?.value}`} className="w-full">
        <line x1={pad.left} x2={width - pad.right} y1={height - pad.bottom} y2={height - pad.bottom} stroke="#cbd5e1" />
        <text x={pad.left - 4} y={y(max) + 4} textAnchor="end" fontSize="10" fill="#64748b">{max}</text>
        <text x={pad.left - 4} y={y(min) + 4} textAnchor="end" fontSize="10" fill="#64748b">{min}</text>
        <path d={path} fill="none" stroke={color} strokeWidth="2" />
        {points.map((p, i) => (
          <circle key={p.date + i} cx={x(i)} cy={y(p.value)} r="3" fill={color} />
        ))}
        {first && <text x={x(0)} y={height - 6} fontSize="10" fill="#64748b">{formatDate(first.date, lang)}</text>}
        {last && points.length > 1 && <text x={x(points.length - 1)} y={height - 6} textAnchor="end" fontSize="10" fill="#64748b">{formatDate(last.date, lang)}</text>}
      </svg>
    </figure>
  );
}
