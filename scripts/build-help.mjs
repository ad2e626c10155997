// Stores what the command line prints for `--help`, `--version` and `<command> --help`
// (dist/src/cli/help.json), so the binary answers them without loading the parser
// (src/cli/prebuilt-help.ts). The text is the real parser's output, from the built
// dist/src/cli/app.js, run in a child whose standard output is a pipe: yargs then wraps
// at 80 columns, as it does on any terminal at least that wide.
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';

const dist = new URL('../dist/src/cli/', import.meta.url);
const child = `
  const { runCli } = await import(${JSON.stringify(new URL('app.js', dist).href)});
  const { prebuiltArgs } = await import(${JSON.stringify(new URL('prebuilt-help.js', dist).href)});
  const write = process.stdout.write.bind(process.stdout);
  let text = '';
  process.stdout.write = (chunk) => ((text += String(chunk)), true);
  const run = async (args) => {
    text = '';
    const code = await runCli(args);
    if (code !== 0) throw new Error('paranom ' + args.join(' ') + ' exited ' + code);
    return text;
  };
  // The commands, as the top-level help lists them.
  const top = await run(['--help']);
  const section = top.split('\\nCommands:\\n')[1].split('\\n\\n')[0];
  const commands = [...section.matchAll(/^  paranom (\\S+)/gm)].map((m) => m[1]);
  const out = {};
  for (const args of prebuiltArgs(commands)) out[args.join(' ')] = await run(args);
  write(JSON.stringify(out, null, 1) + '\\n');
`;
const json = execFileSync(process.execPath, ['--input-type=module', '-e', child], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
const outputs = JSON.parse(json);
if (!outputs['--help']?.includes('Commands:') || Object.keys(outputs).length < 4) throw new Error('build-help: unexpected parser output');
writeFileSync(new URL('help.json', dist), json);
