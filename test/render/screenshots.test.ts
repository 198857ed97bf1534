/** The README shows the rendered PR comment; the screenshots it points at exist and are PNGs. */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

describe('README screenshots', () => {
  it.each(['blocked', 'ready'])('shows docs/scorecard-%s.png, a PNG with its markdown beside it', (name) => {
    const readme = readFileSync('README.md', 'utf8');
    expect(readme).toContain(`src="docs/scorecard-${name}.png"`);
    const png = readFileSync(`docs/scorecard-${name}.png`);
    expect(png.subarray(1, 4).toString('latin1')).toBe('PNG');
    expect(readFileSync(`docs/scorecard-${name}.md`, 'utf8')).toContain(
      name === 'blocked' ? '🚫 **Blocked**' : '✅ **Ready**',
    );
  });
});
