import { hookSuite } from './hooks.suite.js';

hookSuite('port');
