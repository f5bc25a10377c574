import type { BrandRow, CatalogCategory } from "./catalog-data.ts";

/**
 * Brand rows × model lines, expanded by `buildCatalog` with the variant sets into ~430 products. Prices
 * are rough USD list prices. Kept as data so adding a product is a one-line change.
 */
// biome-ignore format: a data table is easier to scan packed than one tuple per line
export const CATALOG_TABLE: Readonly<Record<CatalogCategory, readonly BrandRow[]>> = {
  phones: [
    ["Apple", "storage3", [
      ["iPhone 16 Pro Max", 1199], ["iPhone 16 Pro", 999], ["iPhone 16 Plus", 899], ["iPhone 16", 799],
      ["iPhone 15 Pro Max", 1099], ["iPhone 15 Pro", 899], ["iPhone 15 Plus", 799], ["iPhone 15", 699],
      ["iPhone 14", 599], ["iPhone 13", 499], ["iPhone SE (3rd generation)", 429, "storage2"],
    ]],
    ["Samsung", "storage3", [
      ["Galaxy S24 Ultra", 1299], ["Galaxy S24+", 999], ["Galaxy S24", 799], ["Galaxy S23 FE", 599],
      ["Galaxy Z Fold6", 1899], ["Galaxy Z Flip6", 1099], ["Galaxy A55 5G", 449, "storage2"],
      ["Galaxy A35 5G", 399, "storage2"], ["Galaxy A15 5G", 199, "storage2"],
    ]],
    ["Google", "storage2", [
      ["Pixel 9 Pro XL", 1099], ["Pixel 9 Pro", 999], ["Pixel 9", 799], ["Pixel 8 Pro", 899],
      ["Pixel 8", 699],
      ["Pixel 8a", 499],
    ]],
    ["OnePlus", "storage2", [["12", 799], ["12R", 499], ["Nord N30 5G", 299], ["Open", 1699, "none"]]],
    ["Xiaomi", "storage2", [["14 Ultra", 1299], ["14", 899], ["Redmi Note 13 Pro 5G", 399]]],
    ["Motorola", "storage2", [["Edge 50 Pro", 699], ["Razr+ 2024", 999], ["Moto G Power 5G", 299]]],
    ["Nothing", "storage2", [["Phone (2a)", 349], ["Phone (2)", 599]]],
    ["Sony", "storage2", [["Xperia 1 VI", 1399], ["Xperia 10 VI", 449]]],
  ],
  laptops: [
    ["Apple", "laptop", [
      ['MacBook Air 13" M3', 1099], ['MacBook Air 15" M3', 1299], ['MacBook Air 13" M2', 999],
      ['MacBook Pro 14" M4', 1599], ['MacBook Pro 14" M4 Pro', 1999], ['MacBook Pro 16" M4 Max', 3499],
    ]],
    ["Dell", "laptop", [
      ["XPS 13", 1099], ["XPS 14", 1499], ["XPS 16", 1899], ["Inspiron 14 Plus", 899],
      ["Latitude 7440", 1399],
      ["Alienware m16 R2 Gaming Laptop", 1799],
    ]],
    ["Lenovo", "laptop", [
      ["ThinkPad X1 Carbon Gen 12", 1799], ["ThinkPad T14s Gen 5", 1399], ["IdeaPad Slim 5", 749],
      ["Yoga Slim 7x", 1199], ["Legion Pro 5 Gaming Laptop", 1499],
    ]],
    ["HP", "laptop", [
      ["Spectre x360 14", 1499], ["Envy x360 15", 999], ["Pavilion Plus 14", 799],
      ["EliteBook 840 G11", 1599],
      ["Omen Transcend 14 Gaming Laptop", 1499],
    ]],
    ["ASUS", "laptop", [
      ["Zenbook 14 OLED", 999], ["ROG Zephyrus G14 Gaming Laptop", 1599],
      ["ROG Strix G16 Gaming Laptop", 1399],
      ["Vivobook 15", 599],
    ]],
    ["Microsoft", "laptop", [['Surface Laptop 7 13.8"', 999], ['Surface Laptop 7 15"', 1299]]],
    ["Acer", "laptop", [["Swift Go 14", 749], ["Aspire 5", 549], ["Predator Helios 16 Gaming Laptop", 1699]]],
    ["Razer", "laptop", [["Blade 14 Gaming Laptop", 2199], ["Blade 16 Gaming Laptop", 2999]]],
  ],
  tablets: [
    ["Apple", "tablet", [
      ['iPad Pro 13" (M4)', 1299], ['iPad Pro 11" (M4)', 999], ['iPad Air 13" (M2)', 799],
      ['iPad Air 11" (M2)', 599], ["iPad (10th generation)", 349], ["iPad mini (A17 Pro)", 499],
    ]],
    ["Samsung", "tablet", [
      ["Galaxy Tab S9 Ultra", 1199], ["Galaxy Tab S9+", 999], ["Galaxy Tab S9", 799],
      ["Galaxy Tab S9 FE", 449],
      ["Galaxy Tab A9+", 219],
    ]],
    ["Google", "tablet", [["Pixel Tablet", 499]]],
    ["Lenovo", "tablet", [["Tab P12", 349], ["Tab M11", 199]]],
    ["Amazon", "tablet2", [["Fire HD 10 Tablet", 139], ["Fire Max 11 Tablet", 229]]],
    ["Microsoft", "tablet", [["Surface Pro 11", 999]]],
    ["Xiaomi", "tablet", [["Pad 6", 399]]],
  ],
  headphones: [
    ["Sony", "audio", [
      ["WH-1000XM5 Wireless Noise Cancelling Headphones", 399],
      ["WH-1000XM4 Wireless Noise Cancelling Headphones", 349], ["WF-1000XM5 Wireless Earbuds", 299],
      ["ULT WEAR Wireless Headphones", 199], ["WH-CH720N Wireless Headphones", 149],
    ]],
    ["Apple", "audio", [
      ["AirPods Pro 2 Earbuds", 249, "none"], ["AirPods 4 with Active Noise Cancellation", 179, "none"],
      ["AirPods Max Headphones", 549],
    ]],
    ["Bose", "audio", [
      ["QuietComfort Ultra Headphones", 429], ["QuietComfort Headphones", 349],
      ["QuietComfort Ultra Earbuds", 299],
    ]],
    ["Sennheiser", "audio", [
      ["Momentum 4 Wireless Headphones", 379], ["Momentum True Wireless 4 Earbuds", 299],
      ["HD 660S2 Open-Back Headphones", 599, "none"],
    ]],
    ["Samsung", "audio", [["Galaxy Buds3 Pro Earbuds", 249], ["Galaxy Buds FE Earbuds", 99]]],
    ["Google", "audio", [["Pixel Buds Pro 2 Earbuds", 229]]],
    ["JBL", "audio", [["Tune 770NC Headphones", 129], ["Live 770NC Headphones", 199]]],
    ["Beats", "audio", [
      ["Studio Pro Wireless Headphones", 349], ["Solo 4 Wireless Headphones", 199], ["Fit Pro Earbuds", 199],
    ]],
  ],
  cameras: [
    ["Canon", "camera", [
      ["EOS R5 Mark II", 4299], ["EOS R6 Mark II", 2499], ["EOS R8", 1499], ["EOS R50", 679],
    ]],
    ["Sony", "camera", [
      ["Alpha 7 IV Full-Frame Mirrorless Camera", 2499], ["Alpha 7C II Mirrorless Camera", 2199],
      ["Alpha 6700 Mirrorless Camera", 1399], ["ZV-E10 II Vlog Camera", 999],
    ]],
    ["Nikon", "camera", [["Z8", 3999], ["Z6III", 2499], ["Zf", 1999], ["Z50II", 859]]],
    ["Fujifilm", "camera", [["X-T5", 1699], ["X-S20", 1299], ["X100VI", 1599, "none"], ["GFX100S II", 4999]]],
    ["Panasonic", "camera", [["Lumix S5II", 1999], ["Lumix G9 II", 1899]]],
    ["GoPro", "none", [["HERO13 Black Action Camera", 399], ["HERO12 Black Action Camera", 349]]],
    ["DJI", "none", [["Osmo Pocket 3 Gimbal Camera", 519], ["Osmo Action 5 Pro Action Camera", 349]]],
  ],
  tvs: [
    ["Samsung", "tv", [
      ["QN90D Neo QLED 4K Smart TV", 1599], ["S90D OLED 4K Smart TV", 1799], ["The Frame QLED 4K TV", 1299],
      ["DU7200 Crystal UHD 4K TV", 449],
    ]],
    ["LG", "tv", [
      ["C4 OLED evo 4K Smart TV", 1499], ["G4 OLED evo 4K Smart TV", 2399], ["QNED85 4K Smart TV", 899],
    ]],
    ["Sony", "tv", [
      ["BRAVIA 8 OLED 4K Google TV", 1799], ["BRAVIA 7 Mini LED 4K Google TV", 1299],
      ["BRAVIA 3 LED 4K Google TV", 699],
    ]],
    ["TCL", "tv", [["QM8 Mini LED 4K Google TV", 1299], ["Q6 QLED 4K Google TV", 499]]],
    ["Hisense", "tv", [["U8 Mini LED 4K Google TV", 1099], ["A6 4K Google TV", 399]]],
  ],
  smartwatches: [
    ["Apple", "watch", [
      ["Watch Series 10 (GPS)", 399], ["Watch Ultra 2 Titanium", 799, "none"], ["Watch SE", 249],
    ]],
    ["Samsung", "watch", [
      ["Galaxy Watch7", 299], ["Galaxy Watch Ultra", 649, "none"], ["Galaxy Watch FE", 199],
    ]],
    ["Google", "watch", [["Pixel Watch 3", 349]]],
    ["Garmin", "watch", [
      ["Fenix 8", 999], ["Forerunner 265", 449], ["Venu 3", 449], ["Instinct 2X Solar", 399],
    ]],
    ["Fitbit", "none", [
      ["Sense 2 Smartwatch", 249], ["Versa 4 Smartwatch", 199], ["Charge 6 Fitness Tracker", 159],
    ]],
    ["Amazfit", "none", [["Balance Smartwatch", 229], ["GTR 4 Smartwatch", 199]]],
  ],
  consoles: [
    ["Sony", "none", [
      ["PlayStation 5 Slim Console", 499, "edition"], ["PlayStation 5 Pro Console", 699],
      ["PlayStation Portal Remote Player", 199], ["PlayStation VR2 Headset", 549],
    ]],
    ["Microsoft", "none", [
      ["Xbox Series X Console", 499, "console"], ["Xbox Series S Console", 299, "console"],
    ]],
    ["Nintendo", "none", [
      ["Switch OLED Model Console", 349, "switch"], ["Switch Lite Console", 199],
      ["Switch Console", 299, "switch"],
    ]],
    ["Valve", "console", [["Steam Deck OLED Handheld", 549]]],
    ["ASUS", "none", [["ROG Ally X Handheld", 799], ["ROG Ally Handheld", 599]]],
    ["Lenovo", "none", [["Legion Go Handheld", 699]]],
    ["Meta", "storage2", [["Quest 3 VR Headset", 499], ["Quest 3S VR Headset", 299]]],
  ],
};
