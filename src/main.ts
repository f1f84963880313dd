/** The GitHub Action: builds a Config from inputs and calls check(). (Filled in by the GitHub issue.) */
export async function run(): Promise<void> {
  process.stdout.write('migration-guard action: not wired yet\n');
}
