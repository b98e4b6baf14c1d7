// Verifies credentials with Digital Bazaar's @digitalbazaar/vc (the library behind common
// web verifiers and wallets): a second implementation beside certificates/credentials.py.
//
// Reads one JSON object on stdin:
//   {"documents": {url: JSON document}, "credentials": {name: credential},
//    "images": {name: base64 PNG}}
// where `documents` holds everything a verifier may need to load: the bundled JSON-LD
// contexts and the issuer profile, key and status list documents as the product serves them;
// `images` are baked badges: the credential is taken out of the PNG's iTXt chunk
// "openbadgecredential" here (png-chunks-extract, not the product's reader), then verified.
// Writes one JSON object on stdout: {name: {verified, revoked, errors, refused}}.
//
// Nothing is fetched from the network: the document loader answers from `documents` only
// (and jsonld-signatures adds its own built-in security contexts) and records what it refused.

import {DataIntegrityProof} from '@digitalbazaar/data-integrity';
import {cryptosuite as eddsaRdfc2022CryptoSuite} from
  '@digitalbazaar/eddsa-rdfc-2022-cryptosuite';
import * as vc from '@digitalbazaar/vc';
import {checkStatus} from '@digitalbazaar/vc-bitstring-status-list';
import extractChunks from 'png-chunks-extract';

// The Open Badges 3.0 baking rules: the first iTXt chunk whose keyword is
// "openbadgecredential", uncompressed; its text is the credential's JSON.
function bakedCredential(png) {
  for(const chunk of extractChunks(new Uint8Array(png))) {
    if(chunk.name !== 'iTXt') {
      continue;
    }
    const data = Buffer.from(chunk.data);
    const end = data.indexOf(0);
    if(data.subarray(0, end).toString('latin1') !== 'openbadgecredential') {
      continue;
    }
    if(data[end + 1] !== 0) {
      throw new Error('the credential chunk is compressed');
    }
    const language = data.indexOf(0, end + 3);
    const translated = data.indexOf(0, language + 1);
    return JSON.parse(data.subarray(translated + 1).toString('utf8'));
  }
  throw new Error('no openbadgecredential iTXt chunk');
}

function offlineLoader(documents, refused) {
  return async url => {
    if(!Object.hasOwn(documents, url)) {
      refused.push(url);
      throw new Error(`${url} is not available offline.`);
    }
    return {
      contextUrl: null,
      documentUrl: url,
      // a copy: the libraries must not change what another check reads
      document: structuredClone(documents[url])
    };
  };
}

// Messages of an error and of the errors it wraps (jsonld-signatures nests them).
function messages(error, seen = new Set()) {
  if(!error || typeof error !== 'object' || seen.has(error)) {
    return [];
  }
  seen.add(error);
  const own = error.message ? [error.message] : [];
  const nested = [
    ...(Array.isArray(error.errors) ? error.errors : []),
    error.cause,
    error.details?.cause
  ];
  return own.concat(...nested.map(inner => messages(inner, seen)));
}

async function verify(credential, documents) {
  const refused = [];
  const documentLoader = offlineLoader(documents, refused);
  const suite = new DataIntegrityProof({cryptosuite: eddsaRdfc2022CryptoSuite});
  let result;
  try {
    result = await vc.verifyCredential({
      credential,
      suite,
      documentLoader,
      // the status list credential is loaded and its own proof verified too
      checkStatus: options => checkStatus({
        ...options,
        verifyBitstringStatusListCredential: true,
        verifyMatchingIssuers: true
      })
    });
  } catch(error) {
    return {verified: false, revoked: null, errors: messages(error), refused};
  }
  const errors = [
    ...messages(result.error),
    ...(result.results || []).flatMap(proof => messages(proof.error)),
    ...messages(result.statusResult?.error)
  ];
  const statuses = (result.statusResult?.results || []).map(entry => entry.status);
  return {
    verified: result.verified === true,
    revoked: statuses.length ? statuses.some(status => status === true) : null,
    errors: [...new Set(errors)],
    refused
  };
}

const chunks = [];
for await (const chunk of process.stdin) {
  chunks.push(chunk);
}
const {documents, credentials, images = {}} = JSON.parse(
  Buffer.concat(chunks).toString('utf8'));
const report = {};
for(const [name, credential] of Object.entries(credentials)) {
  report[name] = await verify(credential, documents);
}
for(const [name, png] of Object.entries(images)) {
  let credential;
  try {
    credential = bakedCredential(Buffer.from(png, 'base64'));
  } catch(error) {
    report[name] = {verified: false, revoked: null, errors: [error.message], refused: []};
    continue;
  }
  report[name] = {...await verify(credential, documents), id: credential.id};
}
process.stdout.write(JSON.stringify(report));
