import { DynamicModule, Module, Type } from '@nestjs/common';
import { AppConfig } from './app-config';

@Module({})
class ConfigModule {}

/**
 * `root` with AppConfig as a provider to every module: the one way configuration reaches them (by
 * injection). The entry point hands in the value it read itself, before Nest existed, to check the port
 * and DATA_DIR first (main.ts) or with its own overrides (the CLI, tests).
 */
export function configured(root: Type, config: AppConfig): DynamicModule {
  const provider = { provide: AppConfig, useValue: config };
  return {
    module: root,
    imports: [{ module: ConfigModule, global: true, providers: [provider], exports: [AppConfig] }],
  };
}
