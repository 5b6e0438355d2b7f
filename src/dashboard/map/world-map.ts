/**
 * A world map in text: an equirectangular projection of the embedded 1° land mask drawn with
 * braille dots (2 × 4 dots per cell), countries shaded by value (each land cell belongs to the
 * nearest country centroid within reach, so a country is a patch around its centroid), or
 * points by coordinates. Pure: values in, lines of cells out; colour is applied by the caller.
 */
import { COUNTRIES, COUNTRY_BY_CODE } from '../../reference/countries.js';
import { LAND_MASK_BASE64 } from './land-mask.js';

const MASK = Buffer.from(LAND_MASK_BASE64, 'base64');
/** Latitudes shown: Antarctica and the Arctic sea take room and hold no payments. */
const NORTH = 84;
const SOUTH = -58;
/** A land cell further than this (degrees) from every centroid belongs to no country. */
const COUNTRY_REACH = 12;

export function isLand(lat: number, lon: number): boolean {
  const row = Math.min(179, Math.max(0, Math.floor(90 - lat)));
  const col = ((Math.floor(lon + 180) % 360) + 360) % 360;
  const index = row * 360 + col;
  return ((MASK[index >> 3]! >> (index & 7)) & 1) === 1;
}

/** Braille dot bits by (x, y) within a cell: x 0..1, y 0..3. */
const DOTS = [[0x01, 0x08], [0x02, 0x10], [0x04, 0x20], [0x40, 0x80]] as const;

/** One character cell of the map. */
export interface MapCell {
  char: string;
  /** 0..4: the value bucket of the country shading this cell (0 = no value). */
  shade: number;
  /** The country the cell belongs to, if any. */
  country?: string;
  /** True when the cell holds a plotted point. */
  point?: boolean;
  /** True for cells of the selected country. */
  selected?: boolean;
}

export interface MapInput {
  width: number;
  height: number;
  /** Value per ISO country code, for a choropleth. */
  values?: ReadonlyMap<string, number>;
  points?: ReadonlyArray<{ lat: number; lon: number }>;
  selected?: string;
}

export const SHADES = [' ', '░', '▒', '▓', '█'] as const;

function cellCentre(width: number, height: number, x: number, y: number): { lat: number; lon: number } {
  return { lon: -180 + ((x + 0.5) / width) * 360, lat: NORTH - ((y + 0.5) / height) * (NORTH - SOUTH) };
}

const ownerCache = new Map<string, (string | undefined)[]>();

/** The country each land cell belongs to at this size (computed once per size). */
function cellOwners(width: number, height: number): (string | undefined)[] {
  const key = `${width}x${height}`;
  const cached = ownerCache.get(key);
  if (cached) return cached;
  const owners: (string | undefined)[] = new Array(width * height);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const { lat, lon } = cellCentre(width, height, x, y);
      if (!landInCell(width, height, x, y)) continue;
      let best: string | undefined;
      let bestDistance = COUNTRY_REACH * COUNTRY_REACH;
      const cosLat = Math.cos((lat * Math.PI) / 180);
      for (const country of COUNTRIES) {
        const dLat = country.lat - lat;
        let dLon = Math.abs(country.lon - lon);
        if (dLon > 180) dLon = 360 - dLon;
        const distance = dLat * dLat + dLon * cosLat * (dLon * cosLat);
        if (distance < bestDistance) {
          bestDistance = distance;
          best = country.code;
        }
      }
      owners[y * width + x] = best;
    }
  }
  ownerCache.set(key, owners);
  return owners;
}

function landInCell(width: number, height: number, x: number, y: number): boolean {
  for (let dy = 0; dy < 4; dy++) {
    for (let dx = 0; dx < 2; dx++) {
      const lon = -180 + ((x + (dx + 0.5) / 2) / width) * 360;
      const lat = NORTH - ((y + (dy + 0.5) / 4) / height) * (NORTH - SOUTH);
      if (isLand(lat, lon)) return true;
    }
  }
  return false;
}

function brailleCell(width: number, height: number, x: number, y: number): string {
  let bits = 0;
  for (let dy = 0; dy < 4; dy++) {
    for (let dx = 0; dx < 2; dx++) {
      const lon = -180 + ((x + (dx + 0.5) / 2) / width) * 360;
      const lat = NORTH - ((y + (dy + 0.5) / 4) / height) * (NORTH - SOUTH);
      if (isLand(lat, lon)) bits |= DOTS[dy]![dx]!;
    }
  }
  return String.fromCharCode(0x2800 + bits);
}

const outlineCache = new Map<string, string[]>();

function outline(width: number, height: number): string[] {
  const key = `${width}x${height}`;
  let cells = outlineCache.get(key);
  if (!cells) {
    cells = [];
    for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) cells.push(brailleCell(width, height, x, y));
    outlineCache.set(key, cells);
  }
  return cells;
}

/** Value buckets 1..4 by quartiles of the values (0 for none). */
export function shadeOf(value: number | undefined, sorted: readonly number[]): number {
  if (value === undefined || sorted.length === 0) return 0;
  const rank = sorted.findIndex((candidate) => candidate >= value);
  const position = (rank === -1 ? sorted.length - 1 : rank) / Math.max(1, sorted.length - 1);
  return sorted.length === 1 ? 4 : Math.min(4, 1 + Math.floor(position * 4));
}

/** The map as rows of cells. */
export function drawWorldMap(input: MapInput): MapCell[][] {
  const { width, height } = input;
  const base = outline(width, height);
  const owners = input.values || input.selected ? cellOwners(width, height) : [];
  const sorted = input.values ? [...input.values.values()].sort((a, b) => a - b) : [];
  const rows: MapCell[][] = [];
  for (let y = 0; y < height; y++) {
    const row: MapCell[] = [];
    for (let x = 0; x < width; x++) {
      const owner = owners[y * width + x];
      const value = owner === undefined ? undefined : input.values?.get(owner);
      const shade = shadeOf(value, sorted);
      const cell: MapCell = { char: shade > 0 ? SHADES[shade]! : base[y * width + x]!, shade };
      if (owner !== undefined) cell.country = owner;
      if (owner !== undefined && owner === input.selected) cell.selected = true;
      row.push(cell);
    }
    rows.push(row);
  }
  for (const point of input.points ?? []) {
    if (point.lat > NORTH || point.lat < SOUTH) continue;
    const x = Math.min(width - 1, Math.max(0, Math.floor(((point.lon + 180) / 360) * width)));
    const y = Math.min(height - 1, Math.max(0, Math.floor(((NORTH - point.lat) / (NORTH - SOUTH)) * height)));
    rows[y]![x] = { char: '●', shade: 0, point: true };
  }
  // A selected country too small to own a cell still gets a marker at its centroid.
  if (input.selected && !rows.some((row) => row.some((cell) => cell.selected))) {
    const country = COUNTRY_BY_CODE.get(input.selected);
    if (country && country.lat <= NORTH && country.lat >= SOUTH) {
      const x = Math.min(width - 1, Math.floor(((country.lon + 180) / 360) * width));
      const y = Math.min(height - 1, Math.floor(((NORTH - country.lat) / (NORTH - SOUTH)) * height));
      rows[y]![x] = { char: '◆', shade: 4, country: country.code, selected: true };
    }
  }
  return rows;
}

/** The map as plain text lines (no colour). */
export function worldMapText(input: MapInput): string[] {
  return drawWorldMap(input).map((row) => row.map((cell) => (cell.selected && cell.shade > 0 ? '◆' : cell.char)).join(''));
}
