import { piniaSuite } from './pinia.suite.js';

piniaSuite('port');
