import { Component } from '@angular/core';
import { RouterOutlet } from '@angular/router';

@Component({
  selector: 'chat-root',
  imports: [RouterOutlet],
  template: `<h1>hubrx chat</h1>
    <router-outlet />`,
})
export class App {}
