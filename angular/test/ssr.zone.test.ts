// @vitest-environment node
// zone.js for Node, as a zone.js app's server bundle loads it.
import 'zone.js/node';
import { ssrSuite } from './ssr.suite.js';

ssrSuite('zone');
