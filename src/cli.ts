export async function runCli(argv: string[]): Promise<number> {
  console.log('cli', argv.length);
  return 0;
}
