import type { Routes } from '@angular/router';
import { Room } from './room';

export const routes: Routes = [{ path: '', component: Room }];
