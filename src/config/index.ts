export { readConfig, ConfigError, SETTINGS, type Config } from './config.ts';
