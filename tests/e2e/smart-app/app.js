/* global document, location, sessionStorage, fetch, crypto, btoa, TextEncoder, URLSearchParams */
// A SMART App Launch (standalone) public client in plain browser JavaScript, served from its own origin:
// discovery, authorization code + PKCE (S256 with WebCrypto), the token exchange and a FHIR search, all
// cross-origin fetches to the gateway. Launch: /?iss=<FHIR base>&client_id=<id>&scope=<scopes>.

const show = (id, text) => (document.getElementById(id).textContent = text);
const base64url = (bytes) =>
  btoa(String.fromCharCode(...new Uint8Array(bytes)))
    .replace(/\+/g, '-')
    .replace(/\//g, '_')
    .replace(/=+$/, '');
const randomText = () => base64url(crypto.getRandomValues(new Uint8Array(32)));
const failure = (error) => `failed: ${error instanceof Error ? error.message : String(error)}`;

async function discover(iss) {
  const response = await fetch(`${iss}/.well-known/smart-configuration`, { headers: { accept: 'application/json' } });
  if (!response.ok) throw new Error(`discovery answered ${response.status}`);
  return response.json();
}

async function authorize(launch, smart) {
  const verifier = randomText();
  const challenge = base64url(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(verifier)));
  const state = randomText();
  const redirectUri = `${location.origin}/callback`;
  sessionStorage.setItem(
    'smart',
    JSON.stringify({ ...launch, verifier, state, redirectUri, tokenEndpoint: smart.token_endpoint }),
  );
  const query = new URLSearchParams({
    response_type: 'code',
    client_id: launch.clientId,
    redirect_uri: redirectUri,
    scope: launch.scope,
    state,
    aud: launch.iss,
    code_challenge: challenge,
    code_challenge_method: 'S256',
  });
  location.assign(`${smart.authorization_endpoint}?${query}`);
}

async function exchange(saved, code) {
  const response = await fetch(saved.tokenEndpoint, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'authorization_code',
      code,
      redirect_uri: saved.redirectUri,
      client_id: saved.clientId,
      code_verifier: saved.verifier,
    }),
  });
  const tokens = await response.json();
  if (!response.ok) throw new Error(`token endpoint: ${tokens.error}: ${tokens.error_description}`);
  return tokens;
}

async function search(iss, accessToken) {
  const response = await fetch(`${iss}/Observation?patient._has:Group:member:_id=30001&_count=50`, {
    headers: { authorization: `Bearer ${accessToken}`, accept: 'application/fhir+json' },
  });
  const bundle = await response.json();
  if (!response.ok) throw new Error(`search answered ${response.status}: ${JSON.stringify(bundle)}`);
  return bundle;
}

async function main() {
  const params = new URLSearchParams(location.search);
  if (params.has('code') || params.has('error')) {
    const saved = JSON.parse(sessionStorage.getItem('smart') ?? 'null');
    if (!saved || params.get('state') !== saved.state) return show('token', 'failed: unexpected callback');
    if (params.has('error')) return show('token', `failed: ${params.get('error')}`);
    show('discovery', `done before sign-in (${saved.iss})`);
    let tokens;
    try {
      tokens = await exchange(saved, params.get('code'));
    } catch (error) {
      return show('token', failure(error));
    }
    sessionStorage.setItem('access_token', tokens.access_token);
    show('token', `${tokens.token_type} token, scope "${tokens.scope}"`);
    try {
      const bundle = await search(saved.iss, tokens.access_token);
      show('search', `${bundle.type}: ${bundle.entry?.length ?? 0} entries`);
    } catch (error) {
      show('search', failure(error));
    }
    return;
  }
  const launch = { iss: params.get('iss'), clientId: params.get('client_id'), scope: params.get('scope') };
  if (!launch.iss) return show('discovery', 'failed: no iss');
  try {
    const smart = await discover(launch.iss);
    show('discovery', `authorize at ${smart.authorization_endpoint}`);
    const button = document.getElementById('sign-in');
    button.disabled = false;
    button.addEventListener('click', () => void authorize(launch, smart));
  } catch (error) {
    show('discovery', failure(error));
  }
}

void main();
