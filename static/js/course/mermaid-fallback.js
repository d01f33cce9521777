// Some lesson diagrams use syntax that a stricter mermaid may reject; this rewrites the known cases
// into equivalent mermaid, used only when the text as written fails to render.

export function normaliseMermaid(source) {
  return source
    .split("\n")
    .flatMap((line) => {
      // `style A,B,C fill:#fff` → one style line per node.
      const match = line.match(/^(\s*)style\s+([\w-]+(?:\s*,\s*[\w-]+)+)\s+(.+)$/);
      if (!match) return [line];
      const [, indent, nodes, rest] = match;
      return nodes.split(",").map((node) => `${indent}style ${node.trim()} ${rest}`);
    })
    .join("\n")
    .replace(/<br\s*\/?>/gi, "<br>");
}
