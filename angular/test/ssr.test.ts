// @vitest-environment node
import { ssrSuite } from './ssr.suite.js';

ssrSuite('zoneless');
