import { composableSuite } from './composables.suite.js';

composableSuite('port');
