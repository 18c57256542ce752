import { piniaSuite } from './pinia.suite.js';

piniaSuite('msw');
