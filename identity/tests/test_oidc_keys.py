"""An ID token without `kid` (as a provider's HS256 client sends, or a provider with one
key): checked against the provider's only signing key, or refused; never a KeyError (500).

The provider's key set is served by a tiny HTTP server on 127.0.0.1; the tokens are signed
with keys made here, so each case is a real signature check."""

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from django.core.exceptions import SuspiciousOperation

from identity import oidc
from identity.models import IdentityProvider

ISSUER = "https://login.middelburg.example"
CLIENT_ID = "npo-portal"
NONCE = "n-0S6_WzA2Mj"


def new_key():
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def public_jwk(key, kid: str | None) -> dict:
    jwk = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(key.public_key()))
    jwk.update({"use": "sig", "alg": "RS256"})
    if kid:
        jwk["kid"] = kid
    return jwk


@pytest.fixture
def key_set():
    """Serves whatever list of keys the test puts in `keys`; yields (url, keys)."""
    keys: list[dict] = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            body = json.dumps({"keys": keys}).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/jwks", keys
    server.shutdown()
    server.server_close()


def backend_for(jwks_url: str) -> oidc.OrganisationOIDCBackend:
    backend = oidc.OrganisationOIDCBackend()
    backend.provider = IdentityProvider(issuer=ISSUER, client_id=CLIENT_ID, slug="mdb")
    backend.OIDC_OP_JWKS_ENDPOINT = jwks_url
    backend.OIDC_RP_CLIENT_ID = CLIENT_ID
    backend.OIDC_RP_CLIENT_SECRET = "geheim-van-de-client-van-het-portaal-0123"
    backend.OIDC_RP_SIGN_ALGO = "RS256"
    backend.OIDC_RP_IDP_SIGN_KEY = None
    return backend


def id_token(key, *, algorithm="RS256", kid: str | None = None) -> str:
    now = int(time.time())
    claims = {"iss": ISSUER, "aud": CLIENT_ID, "sub": "anna", "iat": now, "exp": now + 300}
    claims["nonce"] = NONCE
    headers = {"kid": kid} if kid else {}
    return jwt.encode(claims, key, algorithm=algorithm, headers=headers)


def test_a_token_without_kid_is_checked_against_the_providers_single_key(key_set):
    url, keys = key_set
    key = new_key()
    keys.append(public_jwk(key, kid=None))
    assert backend_for(url).verify_token(id_token(key), nonce=NONCE)["sub"] == "anna"


def test_a_token_without_kid_signed_by_another_key_is_refused(key_set):
    url, keys = key_set
    keys.append(public_jwk(new_key(), kid="k1"))
    with pytest.raises(SuspiciousOperation, match=r"(?i)signature"):
        backend_for(url).verify_token(id_token(new_key()), nonce=NONCE)


def test_a_token_without_kid_among_several_keys_is_refused(key_set):
    url, keys = key_set
    key = new_key()
    keys.extend([public_jwk(key, kid="k1"), public_jwk(new_key(), kid="k2")])
    with pytest.raises(SuspiciousOperation, match="without kid"):
        backend_for(url).verify_token(id_token(key), nonce=NONCE)


def test_an_hs256_token_without_kid_is_refused(key_set):
    url, keys = key_set
    keys.append(public_jwk(new_key(), kid="k1"))
    token = id_token("geheim-van-de-client-van-het-portaal-0123", algorithm="HS256")
    with pytest.raises(SuspiciousOperation, match="HS256"):
        backend_for(url).verify_token(token, nonce=NONCE)


def test_a_token_naming_its_kid_takes_that_key(key_set):
    url, keys = key_set
    key = new_key()
    keys.extend([public_jwk(new_key(), kid="k1"), public_jwk(key, kid="k2")])
    assert backend_for(url).verify_token(id_token(key, kid="k2"), nonce=NONCE)["sub"] == "anna"
    with pytest.raises(SuspiciousOperation, match="kid"):
        backend_for(url).verify_token(id_token(key, kid="k3"), nonce=NONCE)


def test_a_key_set_without_kids_or_keys_is_refused_not_a_server_error(key_set):
    url, keys = key_set
    keys.append({"kty": "RSA"})  # no modulus: unusable
    with pytest.raises(SuspiciousOperation):
        backend_for(url).verify_token(id_token(new_key()), nonce=NONCE)
