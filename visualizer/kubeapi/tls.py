"""The API server's certificate authority and serving certificate, made on first run as kind and kubeadm do.

kubectl sends a bearer token only to an `https://` server (client-go tools/clientcmd/client_config.go;
reference §A6), so the REST face listens with TLS. On first use a private CA (`ca.crt`, `ca.key`) and a
serving certificate signed by it (`server.crt`, `server.key`) are written to a directory (var/tls by default,
keys 0600); each kubeconfig embeds the CA as `certificate-authority-data`, so kubectl verifies the server
with no setup. The serving certificate names every address students may use: localhost, 127.0.0.1, ::1, this
machine's name and the LAN addresses (config.lan); a later run with a new address re-issues it from the same
CA, so downloaded kubeconfigs stay valid.
"""

from __future__ import annotations

import datetime
import ipaddress
import os
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

CA_DAYS = 3650  # kubeadm's CA lifetime (10 years)
SERVER_DAYS = 365  # kubeadm's serving certificate lifetime (1 year)


@dataclass(frozen=True)
class Bundle:
    """Paths of the four PEM files and the CA's PEM bytes (what kubeconfigs embed)."""

    directory: Path
    ca_pem: bytes

    @property
    def cert_file(self) -> Path:
        return self.directory / "server.crt"

    @property
    def key_file(self) -> Path:
        return self.directory / "server.key"


def _write(path: Path, data: bytes, private: bool) -> None:
    tmp = path.with_suffix(path.suffix + ".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600 if private else 0o644)
    with os.fdopen(fd, "wb") as fh:
        fh.write(data)
    os.replace(tmp, path)


def _key_pem(key) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )


def _names(cert: x509.Certificate) -> set[str]:
    try:
        san = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    except x509.ExtensionNotFound:
        return set()
    return {str(v) for v in san.get_values_for_type(x509.DNSName)} | {
        str(v) for v in san.get_values_for_type(x509.IPAddress)
    }


def ensure(directory: Path, hosts: list[str]) -> Bundle:
    """Returns the bundle in `directory`, creating the CA and (re-)issuing the serving certificate if it is
    missing, expires within 30 days or does not name every one of `hosts` (names or IP addresses)."""
    directory.mkdir(parents=True, exist_ok=True)
    ca_crt, ca_key = directory / "ca.crt", directory / "ca.key"
    now = datetime.datetime.now(datetime.UTC)
    if ca_crt.exists() and ca_key.exists():
        ca_cert = x509.load_pem_x509_certificate(ca_crt.read_bytes())
        ca_private = serialization.load_pem_private_key(ca_key.read_bytes(), None)
    else:
        ca_private = ec.generate_private_key(ec.SECP256R1())
        name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "orchestra-lab-ca")])
        ca_cert = (
            x509.CertificateBuilder()
            .subject_name(name)
            .issuer_name(name)
            .public_key(ca_private.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(minutes=5))
            .not_valid_after(now + datetime.timedelta(days=CA_DAYS))
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .add_extension(
                x509.KeyUsage(False, False, False, False, False, True, True, False, False), critical=True
            )
            .sign(ca_private, hashes.SHA256())
        )
        _write(ca_key, _key_pem(ca_private), private=True)
        _write(ca_crt, ca_cert.public_bytes(serialization.Encoding.PEM), private=False)
    wanted = {"localhost", "127.0.0.1", "::1", "kubernetes", "kubernetes.default", *hosts}
    wanted = {str(ipaddress.ip_address(h)) if _is_ip(h) else h for h in wanted if h}
    crt, key = directory / "server.crt", directory / "server.key"
    fresh = False
    if crt.exists() and key.exists():
        cert = x509.load_pem_x509_certificate(crt.read_bytes())
        fresh = (
            wanted <= _names(cert)
            and cert.not_valid_after_utc - now > datetime.timedelta(days=30)
            and cert.issuer == ca_cert.subject
        )
    if not fresh:
        private = ec.generate_private_key(ec.SECP256R1())
        alt = [
            x509.IPAddress(ipaddress.ip_address(h)) if _is_ip(h) else x509.DNSName(h) for h in sorted(wanted)
        ]
        cert = (
            x509.CertificateBuilder()
            .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "kube-apiserver")]))
            .issuer_name(ca_cert.subject)
            .public_key(private.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(minutes=5))
            .not_valid_after(now + datetime.timedelta(days=SERVER_DAYS))
            .add_extension(x509.SubjectAlternativeName(alt), critical=False)
            .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .sign(ca_private, hashes.SHA256())
        )
        _write(key, _key_pem(private), private=True)
        _write(crt, cert.public_bytes(serialization.Encoding.PEM), private=False)
    return Bundle(directory, ca_cert.public_bytes(serialization.Encoding.PEM))


def _is_ip(text: str) -> bool:
    try:
        ipaddress.ip_address(text.strip("[]"))
        return True
    except ValueError:
        return False
