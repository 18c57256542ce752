// zone.js first (its `mix` bundle: see port.zone.test.ts).
import 'zone.js/mix';
import { hydrationSuite } from './hydration.suite.js';

hydrationSuite('zone');
