/**
 * The part of SST's global platform API that sst.config.ts uses. `sst install` generates the full
 * typings under .sst/platform; these keep `npm run typecheck` meaningful without it.
 */
interface SstComponent {
  name: unknown;
  arn: unknown;
  url: unknown;
  subscribe(fn: Record<string, unknown>, args?: Record<string, unknown>): unknown;
}
type SstConstructor = new (name: string, args: Record<string, unknown>, opts?: Record<string, unknown>) => SstComponent;

declare const sst: {
  aws: { Dynamo: SstConstructor; Queue: SstConstructor; Bucket: SstConstructor; Function: SstConstructor; Cron: SstConstructor };
};
declare const aws: {
  Provider: new (name: string, args: { region: string }) => unknown;
  getRegionOutput(): { name: unknown };
};
declare function $jsonStringify(value: unknown): unknown;
declare function $config<T extends {
  app(input?: { stage?: string }): Record<string, unknown>;
  run(): Promise<Record<string, unknown> | void>;
}>(config: T): T;
