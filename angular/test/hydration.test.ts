import { hydrationSuite } from './hydration.suite.js';

hydrationSuite('zoneless');
