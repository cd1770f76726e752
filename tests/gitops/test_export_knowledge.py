"""`export` of documents and pronunciation dictionaries made by hand: they become files, personas
using them get `{ref:}` by name, and `pulumi up` adopts it all without creating anything.
"""

from __future__ import annotations

import pytest
import yaml

from sandbox.testing import SandboxProcess
from tests.support.cli import run_cli
from tests.support.deployment import Deployment, make_deployment

pytestmark = pytest.mark.e2e

GUIDE = {"document_url": "https://example.com/files/guide.pdf", "document_name": "Product guide",
         "tags": ["product"]}
SITE = {"document_url": "https://example.com/help", "crawl": {"depth": 2}}
BRANDS = {"name": "Brand names", "rules": [{"text": "Tavus", "pronunciation": "TAH-vus", "type": "alias"}]}


@pytest.fixture(scope="module")
def account(tmp_path_factory: pytest.TempPathFactory, module_sandbox: SandboxProcess) -> Deployment:
    root = tmp_path_factory.mktemp("export-kb")
    d = make_deployment(root, module_sandbox, personas=None, stack_name="prod")
    admin = module_sandbox.admin
    guide, site = admin.create_item("documents", GUIDE), admin.create_item("documents", SITE)
    brands = admin.create_item("pronunciation-dictionaries", BRANDS)
    admin.create({
        "persona_name": "Concierge",
        "system_prompt": "You answer product questions.",
        "document_ids": [guide, site],
        "layers": {"tts": {"pronunciation_dictionary_id": brands}},
    })
    return d


def test_export_writes_documents_dictionaries_and_personas_that_reference_them(account: Deployment) -> None:
    d = account
    result = run_cli("export", "--stack", "prod", cwd=d.project, stack=d.stack)
    assert result.returncode == 0, result.stderr

    guide = yaml.safe_load((d.project / "documents" / "product-guide.yaml").read_text())
    assert {k: v for k, v in guide.items() if k != "pulumi"} == GUIDE and "adopt" in guide["pulumi"]
    [site_file] = [p for p in (d.project / "documents").glob("*.yaml") if p.stem != "product-guide"]
    site = yaml.safe_load(site_file.read_text())
    assert site["crawl"] == {"depth": 2} and "status" not in site  # processing state is not a setting
    brands = yaml.safe_load((d.project / "dictionaries" / "brand-names.yaml").read_text())
    assert brands["rules"] == BRANDS["rules"]
    concierge = yaml.safe_load((d.personas_dir / "concierge.yaml").read_text())
    refs = [{"ref": "documents/product-guide"}, {"ref": f"documents/{site_file.stem}"}]
    assert concierge["document_ids"] == refs
    assert concierge["layers"]["tts"]["pronunciation_dictionary_id"] == {"ref": "dictionaries/brand-names"}
    assert "4 file(s) exported" in result.stdout

    cursor = d.sandbox.admin.cursor()
    d.stack.up()
    assert d.sandbox.admin.count("POST", since=cursor) == 0, "export + up must adopt, never duplicate"
    assert d.sandbox.admin.count("DELETE", since=cursor) == 0
    d.stack.preview("--expect-no-changes")
