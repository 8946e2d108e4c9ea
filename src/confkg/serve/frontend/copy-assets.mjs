// Copies the one font the pages use (Noto Sans Arabic, Arabic subset, 400 and 700) into ../static/fonts/.
import { copyFileSync, mkdirSync } from "node:fs";

const out = new URL("../static/fonts/", import.meta.url);
mkdirSync(out, { recursive: true });
for (const weight of ["400", "700"]) {
  const name = `noto-sans-arabic-arabic-${weight}-normal.woff2`;
  copyFileSync(new URL(`./node_modules/@fontsource/noto-sans-arabic/files/${name}`, import.meta.url), new URL(name, out));
}
copyFileSync(new URL("./node_modules/@fontsource/noto-sans-arabic/LICENSE", import.meta.url), new URL("OFL.txt", out));
