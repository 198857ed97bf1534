import { describe, expect, it } from 'vitest';
import { isMap, isScalar, type Scalar } from 'yaml';
import { hasTemplateActions, maskTemplateActions } from '../../src/lang/yaml.js';
import { fileOf, fixture, lineOfText } from './helpers.js';

describe('yaml()', () => {
  it('parses every document of a multi-document file with positions', () => {
    const f = fixture('deployment.yaml');
    const y = f.yaml()!;
    expect(y.templated).toBe(false);
    expect(y.error).toBeUndefined();
    expect(y.documents.map((d) => d.get('kind'))).toEqual(['Deployment', 'Service']);
    const path = y.documents[0]!.getIn(
      ['spec', 'template', 'spec', 'containers', 0, 'readinessProbe', 'httpGet', 'path'],
      true,
    ) as Scalar;
    expect(path.value).toBe('/readyz');
    expect(y.lineCounter.linePos(path.range![0]).line).toBe(lineOfText(f.text, 'path: /readyz'));
    expect(f.yaml()).toBe(y);
    expect(f.parseErrors()).toEqual([]);
  });

  it('reads comments from the syntax tree, not from block scalars', () => {
    const f = fixture('deployment.yaml');
    expect(f.comments()).toEqual([
      { line: 1, text: '# A plain Kubernetes deployment' },
      { line: 6, text: '# inline flow map' },
      { line: lineOfText(f.text, '# service port'), text: '# service port' },
    ]);
  });

  it('keeps a broken document with its errors and reports the syntax error with its line', () => {
    const f = fileOf('bad.yaml', 'a: 1\n---\nb: [1, 2\nc: 3\n');
    const y = f.yaml()!;
    expect(y.documents).toHaveLength(2);
    expect(y.documents[0]!.errors).toEqual([]);
    expect(y.documents[1]!.errors.length).toBeGreaterThan(0);
    expect(y.error?.line).toBeGreaterThanOrEqual(3);
    expect(y.error?.message).not.toContain('\n');
    expect(f.parseErrors().length).toBeGreaterThan(0);
    expect(f.parseErrors()[0]).toMatch(/^YAML syntax error at line \d+: /);
  });

  it('flags a Helm template, never throws, and keeps lines and real values', () => {
    const f = fixture('helm-deployment.yaml');
    const y = f.yaml()!;
    expect(y.templated).toBe(true);
    expect(y.documents).toHaveLength(1);
    const doc = y.documents[0]!;
    expect(doc.get('kind')).toBe('Deployment');
    // A templated value is a placeholder, not a bogus nested mapping.
    const replicas = doc.getIn(['spec', 'replicas'], true) as Scalar;
    expect(isScalar(replicas)).toBe(true);
    expect(f.text.slice(replicas.range![0], replicas.range![1])).toBe('{{ .Values.replicaCount }}');
    // Both if/else branches remain; the probe path is readable with its true line.
    const container = doc.getIn(['spec', 'template', 'spec', 'containers', 0]);
    expect(isMap(container)).toBe(true);
    const probePath = doc.getIn(
      ['spec', 'template', 'spec', 'containers', 0, 'livenessProbe', 'httpGet', 'path'],
      true,
    ) as Scalar | undefined;
    // Duplicate keys are allowed in templates; yaml's map API finds the first (the `if` branch).
    expect(probePath?.value).toBe('/livez');
    expect(y.lineCounter.linePos(probePath!.range![0]).line).toBe(lineOfText(f.text, 'path: /livez'));
    expect(y.lineCounter.linePos(replicas.range![0]).line).toBe(lineOfText(f.text, 'replicas:'));
    expect(f.comments()).toEqual([{ line: lineOfText(f.text, '# liveness'), text: '# liveness' }]);
    expect(f.parseErrors()).toEqual([]);
  });

  it('parses a broken Helm template without throwing and keeps the error', () => {
    const f = fileOf('chart/templates/x.yaml', 'a: {{ .Values.a }}\n  b: [\n');
    const y = f.yaml()!;
    expect(y.templated).toBe(true);
    expect(y.error).toBeDefined();
    // Template output is not YAML until rendered, so this is not reported as an analysis error.
    expect(f.parseErrors()).toEqual([]);
  });

  it('does not treat GitHub Actions ${{ }} expressions as templates', () => {
    const f = fileOf(
      '.github/workflows/ci.yml',
      "on: push\njobs:\n  t:\n    if: ${{ github.event_name == 'push' }}\n    runs-on: ubuntu-latest\n",
    );
    const y = f.yaml()!;
    expect(y.templated).toBe(false);
    expect(y.documents[0]!.getIn(['jobs', 't', 'if'])).toBe("${{ github.event_name == 'push' }}");
  });

  it('handles empty and comment-only files', () => {
    expect(fileOf('e.yaml', '').yaml()).toMatchObject({ documents: [], templated: false });
    expect(fileOf('c.yml', '# just a comment\n').comments()).toEqual([{ line: 1, text: '# just a comment' }]);
    expect(fileOf('a.ts', '').yaml()).toBeUndefined();
  });
});

describe('template masking', () => {
  it('blanks control lines, fills inline actions and keeps the length and line breaks', () => {
    const text = '{{- if .Values.x }}\nname: {{ .Values.name }}\nimage: "{{ .a }}:{{ .b }}"\n{{- end }}\n';
    const masked = maskTemplateActions(text);
    expect(masked).toHaveLength(text.length);
    expect(masked.split('\n')).toEqual([
      ' '.repeat(19),
      `name: ${'_'.repeat(18)}`,
      `image: "${'_'.repeat(8)}:${'_'.repeat(8)}"`,
      ' '.repeat(10),
      '',
    ]);
    expect(hasTemplateActions(text)).toBe(true);
    expect(hasTemplateActions('x: ${{ secrets.A }}')).toBe(false);
    expect(hasTemplateActions('x: 1')).toBe(false);
  });
});
