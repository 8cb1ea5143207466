export { consoleAssets } from './assets.generated.ts';
export type { ConsoleAsset } from './asset.ts';
