/** JUnit XML of a check run, the format CI systems show as test results. */
import type { CheckRun } from './run.js';

const escape = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

export function checksToJunit(run: CheckRun): string {
  const failures = run.results.filter((result) => result.status === 'fail' && result.severity === 'error').length;
  const errors = run.results.filter((result) => result.status === 'error' && result.severity === 'error').length;
  const cases = run.results.map((result) => {
    const attributes = `name="${escape(result.name)}" classname="analytics.checks.${escape(result.table ?? 'sql')}" time="${result.seconds.toFixed(3)}"`;
    const sample = result.sample.length > 0 ? `\n${JSON.stringify(result.sample, null, 2)}` : '';
    if (result.status === 'pass') return `    <testcase ${attributes}/>`;
    if (result.status === 'skipped') return `    <testcase ${attributes}>\n      <skipped message="${escape(result.message)}"/>\n    </testcase>`;
    if (result.severity === 'warn') {
      return `    <testcase ${attributes}>\n      <system-out>${escape(`warning: ${result.message}${sample}`)}</system-out>\n    </testcase>`;
    }
    const tag = result.status === 'error' ? 'error' : 'failure';
    return `    <testcase ${attributes}>\n      <${tag} type="${result.type}" message="${escape(result.message)}">${escape(`${result.message}\n${result.sql}${sample}`)}</${tag}>\n    </testcase>`;
  });
  return `<?xml version="1.0" encoding="UTF-8"?>
<testsuites name="analytics check" tests="${run.results.length}" failures="${failures}" errors="${errors}" skipped="${run.skipped}" time="${run.seconds.toFixed(3)}">
  <testsuite name="data checks" tests="${run.results.length}" failures="${failures}" errors="${errors}" skipped="${run.skipped}" time="${run.seconds.toFixed(3)}">
${cases.join('\n')}
  </testsuite>
</testsuites>
`;
}
