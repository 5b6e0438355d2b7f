/**
 * Big cities of the generator's main markets, with coordinates and a rough weight by size.
 * Merchants in these countries sit in one of them; elsewhere near the country's centroid.
 */

/** A city: name, latitude, longitude, relative weight. */
export type City = readonly [name: string, lat: number, lon: number, weight: number];

export const CITIES_BY_COUNTRY: Readonly<Record<string, readonly City[]>> = {
  US: [
    ['New York', 40.7128, -74.006, 8.3], ['Los Angeles', 34.0522, -118.2437, 3.9], ['Chicago', 41.8781, -87.6298, 2.7],
    ['Houston', 29.7604, -95.3698, 2.3], ['Phoenix', 33.4484, -112.074, 1.6], ['Philadelphia', 39.9526, -75.1652, 1.6],
    ['San Francisco', 37.7749, -122.4194, 0.9], ['Seattle', 47.6062, -122.3321, 0.75], ['Miami', 25.7617, -80.1918, 0.45],
    ['Boston', 42.3601, -71.0589, 0.65], ['Atlanta', 33.749, -84.388, 0.5], ['Denver', 39.7392, -104.9903, 0.7],
  ],
  GB: [
    ['London', 51.5074, -0.1278, 9], ['Birmingham', 52.4862, -1.8904, 1.1], ['Manchester', 53.4808, -2.2426, 0.55],
    ['Glasgow', 55.8642, -4.2518, 0.63], ['Leeds', 53.8008, -1.5491, 0.8], ['Edinburgh', 55.9533, -3.1883, 0.52],
    ['Bristol', 51.4545, -2.5879, 0.47],
  ],
  DE: [
    ['Berlin', 52.52, 13.405, 3.7], ['Hamburg', 53.5511, 9.9937, 1.9], ['Munich', 48.1351, 11.582, 1.5],
    ['Cologne', 50.9375, 6.9603, 1.1], ['Frankfurt', 50.1109, 8.6821, 0.76], ['Stuttgart', 48.7758, 9.1829, 0.63],
  ],
  FR: [
    ['Paris', 48.8566, 2.3522, 2.1], ['Marseille', 43.2965, 5.3698, 0.87], ['Lyon', 45.764, 4.8357, 0.52],
    ['Toulouse', 43.6047, 1.4442, 0.5], ['Nice', 43.7102, 7.262, 0.34], ['Bordeaux', 44.8378, -0.5792, 0.26],
  ],
  ES: [
    ['Madrid', 40.4168, -3.7038, 3.3], ['Barcelona', 41.3874, 2.1686, 1.6], ['Valencia', 39.4699, -0.3763, 0.8],
    ['Seville', 37.3891, -5.9845, 0.69], ['Bilbao', 43.263, -2.935, 0.35],
  ],
  IT: [
    ['Rome', 41.9028, 12.4964, 2.8], ['Milan', 45.4642, 9.19, 1.4], ['Naples', 40.8518, 14.2681, 0.92],
    ['Turin', 45.0703, 7.6869, 0.85], ['Florence', 43.7696, 11.2558, 0.37],
  ],
  NL: [
    ['Amsterdam', 52.3676, 4.9041, 0.92], ['Rotterdam', 51.9244, 4.4777, 0.65], ['The Hague', 52.0705, 4.3007, 0.55],
    ['Utrecht', 52.0907, 5.1214, 0.36],
  ],
  CA: [
    ['Toronto', 43.6532, -79.3832, 2.8], ['Montreal', 45.5017, -73.5673, 1.8], ['Vancouver', 49.2827, -123.1207, 0.68],
    ['Calgary', 51.0447, -114.0719, 1.3], ['Ottawa', 45.4215, -75.6972, 1],
  ],
  AU: [
    ['Sydney', -33.8688, 151.2093, 5.3], ['Melbourne', -37.8136, 144.9631, 5.1], ['Brisbane', -27.4698, 153.0251, 2.6],
    ['Perth', -31.9505, 115.8605, 2.1], ['Adelaide', -34.9285, 138.6007, 1.4],
  ],
  BR: [
    ['São Paulo', -23.5505, -46.6333, 12.3], ['Rio de Janeiro', -22.9068, -43.1729, 6.7], ['Brasília', -15.7975, -47.8919, 3],
    ['Salvador', -12.9777, -38.5016, 2.9], ['Belo Horizonte', -19.9167, -43.9345, 2.5],
  ],
  MX: [
    ['Mexico City', 19.4326, -99.1332, 9.2], ['Guadalajara', 20.6597, -103.3496, 1.5], ['Monterrey', 25.6866, -100.3161, 1.1],
    ['Puebla', 19.0414, -98.2063, 1.6], ['Cancún', 21.1619, -86.8515, 0.9],
  ],
  JP: [
    ['Tokyo', 35.6762, 139.6503, 14], ['Osaka', 34.6937, 135.5023, 2.7], ['Yokohama', 35.4437, 139.638, 3.8],
    ['Nagoya', 35.1815, 136.9066, 2.3], ['Sapporo', 43.0618, 141.3545, 2], ['Fukuoka', 33.5904, 130.4017, 1.6],
  ],
  IN: [
    ['Mumbai', 19.076, 72.8777, 12.4], ['Delhi', 28.7041, 77.1025, 11], ['Bengaluru', 12.9716, 77.5946, 8.4],
    ['Hyderabad', 17.385, 78.4867, 6.8], ['Chennai', 13.0827, 80.2707, 4.6], ['Kolkata', 22.5726, 88.3639, 4.5],
  ],
};
