/** Vocabulary of the demo catalog: categories, variant sets and the words that name each category. */

export const CATEGORIES = [
  "phones",
  "laptops",
  "tablets",
  "headphones",
  "cameras",
  "tvs",
  "smartwatches",
  "consoles",
] as const;
export type CatalogCategory = (typeof CATEGORIES)[number];

/** [label appended to the title ("" for none), factor applied to the line's list price]. */
export type Variant = readonly [label: string, factor: number];

// biome-ignore format: one variant set per line reads as a table
export const VARIANTS = {
  none: [["", 1]],
  storage2: [["128GB", 1], ["256GB", 1.15]],
  storage3: [["128GB", 1], ["256GB", 1.12], ["512GB", 1.35]],
  laptop: [["8GB RAM, 256GB SSD", 1], ["16GB RAM, 512GB SSD", 1.25], ["32GB RAM, 1TB SSD", 1.6]],
  tablet: [["128GB Wi-Fi", 1], ["256GB Wi-Fi", 1.2], ["256GB Wi-Fi + Cellular", 1.45]],
  tablet2: [["32GB", 1], ["64GB", 1.25]],
  audio: [["Black", 1], ["Silver", 1], ["Midnight Blue", 1.03]],
  camera: [["Body Only", 1], ["Kit with Lens", 1.25]],
  tv: [['55"', 1], ['65"', 1.45], ['77"', 2.1]],
  watch: [["41mm", 1], ["45mm", 1.08]],
  edition: [["Disc Edition", 1], ["Digital Edition", 0.9]],
  console: [["512GB", 1], ["1TB", 1.18]],
  switch: [["White", 1], ["Neon Red/Blue", 1]],
} as const satisfies Record<string, readonly Variant[]>;
export type VariantKey = keyof typeof VARIANTS;

/** [model line, USD list price, variant set overriding the row's]. */
export type Line = readonly [line: string, price: number, variants?: VariantKey];
/** [brand, default variant set, model lines]. */
export type BrandRow = readonly [brand: string, variants: VariantKey, lines: readonly Line[]];

/** Query words that name a category without necessarily appearing in product titles. */
export const CATEGORY_TERMS: Readonly<Record<CatalogCategory, readonly string[]>> = {
  phones: ["phone", "phones", "smartphone", "smartphones", "mobile", "cellphone"],
  laptops: ["laptop", "laptops", "notebook", "notebooks", "computer"],
  tablets: ["tablet", "tablets"],
  headphones: ["headphone", "headphones", "earbuds", "earphones", "headset", "audio"],
  cameras: ["camera", "cameras", "mirrorless"],
  tvs: ["tv", "tvs", "television", "televisions"],
  smartwatches: ["smartwatch", "smartwatches", "watch", "watches", "wearable"],
  consoles: ["console", "consoles", "gaming", "handheld"],
};
