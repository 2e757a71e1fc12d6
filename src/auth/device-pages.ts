import type { Configuration } from 'oidc-provider';
import { escapeHtml, page } from './pages.js';

type DeviceFlow = NonNullable<NonNullable<Configuration['features']>['deviceFlow']>;

/**
 * The device flow's pages (a notebook's "enter this code" step) in the look of the other sign-in pages.
 * oidc-provider's defaults load a web font and use inline styles and an inline `onfocus` handler, all of
 * which the Content-Security-Policy refuses.
 */
export const deviceFlowPages: Pick<DeviceFlow, 'userCodeInputSource' | 'userCodeConfirmSource' | 'successSource'> = {
  userCodeInputSource: (ctx, form, _out, err) => {
    const problem =
      err && ('userCode' in err || err.name === 'NoCodeError')
        ? 'The code you entered is not correct. Try again.'
        : err?.name === 'AbortedError'
          ? 'The sign-in was interrupted.'
          : err
            ? 'Something went wrong with this code. Start again from the device.'
            : undefined;
    ctx.type = 'html';
    ctx.body = page(
      'Connect a device',
      `${problem ? `<p class="error" role="alert">${escapeHtml(problem)}</p>` : '<p>Enter the code your device shows.</p>'}
${withoutInlineHandlers(form)}
<button type="submit" form="op.deviceInputForm">Continue</button>`,
    );
  },
  userCodeConfirmSource: (ctx, form, client, _deviceInfo, userCode) => {
    ctx.type = 'html';
    ctx.body = page(
      'Confirm the device',
      `<p><strong>${escapeHtml(client.clientName ?? client.clientId)}</strong> asks to sign in. Your device should show this code:</p>
<p><code>${escapeHtml(userCode)}</code></p>
<p>If it does not, or you did not start this, abort.</p>
${form}
<button autofocus type="submit" form="op.deviceConfirmForm">Continue</button>
<button type="submit" form="op.deviceConfirmForm" value="yes" name="abort">Abort</button>`,
    );
  },
  successSource: (ctx) => {
    ctx.type = 'html';
    ctx.body = page('Sign-in success', '<p>Your device is signed in; you can close this page.</p>');
  },
};

/** oidc-provider's code field selects itself with an inline `onfocus` script; the CSP refuses those. */
const withoutInlineHandlers = (form: string) => form.replace(/\s+on[a-z]+="[^"]*"/g, '');
