// Without stickiness, in Chromium (the page is served through the balancer's random front end): a request of the
// connection reaching another instance than negotiate fails with a typed error naming the cause. Where the page's
// fetch sees the 404 (Long Polling, Server-Sent Events' sends) it is a ConnectionNotFoundError; a browser shows no
// status for a failed WebSocket or EventSource, so there it is a TransportError whose message names the 404 as the
// likely cause. The instances' account shows the 404. The reconnect policy recovers with a new negotiate.

import type { HubConnection, TransportName } from '@hubrx/core';
import type { Page } from 'playwright-core';
import { expect, it } from 'vitest';

import { describeChromium } from '../browser/support/chromium.js';
import { signToken } from '../../examples/chat/test/support/clients.js';
import { chromiumPages, type PageWindow } from './support/browser.js';
import { describeScale, diagnostics, instanceOf, scale, servedWhere, user } from './support/clients.js';
import type { ErrorRecord } from './support/in-page.js';

interface Window404 extends PageWindow {
  chat: HubConnection;
}

const NOT_KNOWN = /this server does not know the connection \(is the load balancer sticky\?\)/;

/** 404s the instances answered to a connection token they did not know, in all. */
async function unknownTokens(): Promise<number> {
  const all = await Promise.all(scale().instances.map(async ({ url }) => diagnostics(url)));
  return all.reduce(
    (sum, d) => sum + d.requests.filter((r) => r.status === 404 && r.knownToken === false).length,
    0,
  );
}

/** In the page: connects with one transport and no reconnect until a start fails (each request goes to a random
 * instance of three); the failure, and how many starts it took. */
function failedStart(page: Page, token: string, transport: TransportName) {
  return page.evaluate(
    async ({ token, transport }) => {
      const { hubrx } = window as unknown as Window404;
      for (let attempt = 1; attempt <= 30; attempt++) {
        const chat = hubrx.createHubConnection({
          url: '/hubs/chat',
          transports: [transport],
          accessTokenFactory: () => token,
          reconnect: hubrx.noReconnect(),
        });
        try {
          await chat.start();
          await chat.stop();
        } catch (error) {
          return { attempt, error: hubrx.describeError(error) };
        }
      }
      return { attempt: 30, error: null };
    },
    { token, transport },
  );
}

describeScale('through a load balancer without stickiness (Chromium)', () => {
  describeChromium('pages', () => {
    const pages = chromiumPages();

    it.each(['webSockets', 'serverSentEvents', 'longPolling'] as const)(
      'a %s request reaching another instance than negotiate fails with a typed error naming the cause',
      async (transport) => {
        const { page } = await pages.open(scale().randomUrl);
        const before = await unknownTokens();
        const { error } = await failedStart(page, signToken(user('random')), transport);
        expect(error).not.toBeNull();
        const seen = error as ErrorRecord;
        if (seen.class === 'ConnectionNotFoundError') {
          // The page's fetch saw the 404: every request of Long Polling, and Server-Sent Events' handshake send.
          expect(transport).not.toBe('webSockets');
          expect(seen.message).toMatch(/answered 404: /);
        } else {
          // A WebSocket's or an EventSource's failure, whose status the browser hides: the message names the cause.
          expect(transport).not.toBe('longPolling');
          expect(seen.class).toBe('TransportError');
          expect(seen.message).toMatch(/If its hidden status was 404, /);
        }
        expect(seen.message).toMatch(NOT_KNOWN);
        // By the instances' account: one of them answered 404 to a connection token it did not know.
        expect(await unknownTokens()).toBeGreaterThan(before);
      },
    );

    it('the reconnect policy recovers with a new negotiate until the WebSocket reaches the negotiating instance', async () => {
      const { page } = await pages.open(scale().randomUrl);
      const token = signToken(user('recover'));
      for (let run = 1; run <= 30; run++) {
        const { id, reasons, lastErrors } = await page.evaluate(async (token) => {
          const w = window as unknown as Window404;
          const { hubrx } = w;
          const reasons: ReturnType<typeof hubrx.describeError>[] = [];
          const retries = hubrx.fixedDelays(Array.from({ length: 40 }, () => 0));
          const chat = hubrx.createHubConnection({
            url: '/hubs/chat',
            transports: ['webSockets'],
            accessTokenFactory: () => token,
            reconnect: (context) => (reasons.push(hubrx.describeError(context.reason)), retries(context)),
          });
          const lastErrors: string[] = [];
          chat.state$.subscribe((s) => {
            if (s.lastError !== null) lastErrors.push(hubrx.describeError(s.lastError).class);
          });
          await chat.start({ retry: true });
          w.chat = chat;
          return { id: chat.state.connectionId!, reasons, lastErrors };
        }, token);
        if (reasons.length === 0) {
          await page.evaluate(() => (window as unknown as Window404).chat.stop());
          continue; // landed on the negotiating instance at once: try again
        }
        for (const reason of reasons) {
          expect(reason.class).toBe('TransportError');
          expect(reason.message).toMatch(NOT_KNOWN);
        }
        // The state observable showed why it was retrying.
        expect(lastErrors).toContain('TransportError');
        // The connection that worked: negotiated and upgraded on one instance (which may run OnConnectedAsync a
        // moment after the page saw the handshake: instanceOf waits for it).
        expect(await instanceOf(id)).toBeDefined();
        const where = await servedWhere(id);
        const holders = Object.entries(where).filter(([, served]) => served.requests.length > 0);
        expect(holders).toHaveLength(1);
        expect(holders[0]![1].requests.map((r) => r.kind)).toEqual(['negotiate', 'webSocket']);
        expect(holders[0]![1].connection?.transport).toBe('WebSockets');
        await page.evaluate(() => (window as unknown as Window404).chat.stop());
        return;
      }
      throw new Error('30 runs connected at once: the balancer is not random');
    });
  });
});
