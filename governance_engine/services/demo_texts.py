"""The markdown of the demo's proposals: first revisions, and what later revisions add.

Fictional projects, organizations and numbers; real open formats are named where a real
working group would cite them.
"""

from __future__ import annotations

MERF = """\
# Model Evaluation Report Format (MERF) 1.0

## Abstract

MERF is a machine-readable format for reporting how a model was evaluated: which datasets,
which metrics, under which conditions, with which uncertainty. A MERF report travels with the
model so that a buyer, a regulator or a downstream developer can compare claims like for like.

## 1. Scope

This standard covers evaluation of trained models before release and after each significant
update. It does not prescribe which benchmarks to run; it prescribes how results are reported.

## 2. Report structure

A report is a JSON document with these top-level members:

| member | required | content |
|---|---|---|
| `model` | yes | name, version and digest of the evaluated artefact |
| `datasets` | yes | each evaluation dataset with its version and licence |
| `metrics` | yes | metric name (from the glossary), value, unit |
| `conditions` | yes | hardware, precision, decoding parameters, seed |
| `limitations` | no | known failure modes, in prose |

## 3. Conformance

A producer conforms if every report it publishes validates against the MERF 1.0 schema and
every metric name is taken from the glossary in Annex A.
"""

MERF_R2 = """\
- Metric names aligned with the glossary maintained by the Trust & Validation WG.
- New section 2.1, *Uncertainty*: every metric carries a confidence interval and the method
  used to compute it (bootstrap, analytical, or none, with a reason).
"""

DISCLOSURE = """\
# Guideline: Coordinated Disclosure of Model Vulnerabilities

## Purpose

Members increasingly receive reports of jailbreaks, data-extraction attacks and unsafe
behaviours in models they publish. This guideline describes a coordinated disclosure process
that protects users without leaving reporters waiting indefinitely.

## Recommendations

1. Publish a security contact and a disclosure policy with every released model.
2. Acknowledge a report within 5 working days and agree a disclosure date with the reporter.
3. Default embargo: 90 days. For models deployed in public services, aim for 30 days.
4. Publish an advisory that names the affected model versions and the mitigation.
5. Credit the reporter unless they ask not to be named.

## Non-goals

This guideline does not define a bug bounty, and it does not apply to vulnerabilities in
software dependencies, which follow the member's existing software disclosure process.
"""

CLEARWATER = """\
# Project proposal: adopt Clearwater Bias Scanner

## The project

Clearwater scans classification and ranking models for disparate performance across
demographic slices, and produces a report suitable for inclusion in a MERF evaluation report.

- Repository: `git.clearwater.example/clearwater/scanner`
- Maintainers: 6, from 3 organizations
- Licence: Business Source License 1.1

## Why the alliance

Several members use Clearwater internally. Hosting it in the alliance would give it neutral
governance and let the Trust & Validation WG align its output with MERF.

## Resources requested

CI capacity (about 400 runner-hours a month) and a part-time community manager.
"""

PROVENANCE = """\
# Dataset Provenance Attestation (DPA) 1.0

## Abstract

A DPA is a signed statement of where a training dataset came from, how it was collected, under
which licences, and which transformations produced the version a model was trained on.

## 1. Attestation contents

- **subject**: the dataset, identified by a content digest;
- **sources**: each upstream source with its licence and collection date range;
- **transformations**: an ordered list (deduplication, filtering, labelling), each with the
  tool and version used;
- **signer**: the organization that makes the statement.

## 2. Signing

Attestations are signed envelopes. A verifier must reject an attestation whose subject digest
does not match the dataset it is given.

## 3. Relation to MERF

A MERF report may reference the DPA of each evaluation dataset by digest.
"""

PROVENANCE_R2 = """\
- New section 4, *Software bill of materials*: an attestation may reference the SBOM of each
  transformation tool.
- Annex B: a complete example attestation, and its mapping to an in-toto statement.
"""

REDTEAM = """\
# Red-Team Exercise Reporting (RTER) 1.0

## Abstract

RTER defines what a member reports after a red-team exercise on a model: scope, threat model,
team composition, findings by severity, and the status of each mitigation.

## 1. Report sections

1. Scope and threat model
2. Team (internal, external, or mixed) and the time spent
3. Findings, each with a severity (critical, high, medium, low) and a reproduction
4. Mitigations and their status
5. What was out of scope, and why

## 2. Publication

The full report is shared with the alliance's Trust & Validation WG under the members'
confidentiality agreement. A summary omitting reproductions may be published.
"""

REDTEAM_R2 = """\
- Severity levels now follow the incident taxonomy of the Hardware & Infrastructure WG, so
  that a finding about serving infrastructure is rated the same way in both reports.
- Clarified that public-sector members may publish the full report where law requires it.
"""

RACK_POWER = """\
# Rack-Scale Power Telemetry Profile 1.0

## Abstract

A common profile for reporting the power drawn by accelerator racks during training and
inference, so that energy figures from different data centres can be compared.

## 1. Measurements

- rack input power, in watts, sampled at 1 Hz;
- per-accelerator board power, from the vendor counter;
- cooling overhead, as a PUE estimate for the hall.

## 2. Transport

Samples are exported in the OpenMetrics text format under the `rsp_` prefix.
"""

RACK_POWER_R2 = """\
- The sampling interval is configurable from 1 Hz to 100 Hz; 10 Hz is recommended.
- Vendor-specific counters moved from section 1 to an optional Annex A, so the profile can be
  implemented on hardware from any vendor.
"""

OPENFABRIC = """\
# Project proposal: adopt OpenFabric Scheduler

## The project

OpenFabric schedules training jobs across heterogeneous accelerator clusters, placing jobs by
interconnect topology and power budget.

- Licence: Apache-2.0
- Maintainers: 9, of whom 7 are employed by Meridian Compute Systems
- Adopters: 3 production deployments

## Why the alliance

Neutral hosting would encourage other vendors to contribute topology plug-ins.

## Resources requested

A hardware lab allocation of two racks for integration testing.
"""

ENERGY = """\
# Guideline: Energy Reporting for Large Training Runs

## Purpose

Members publishing a model trained with more than 10^23 FLOP should report the energy the
training run used, measured rather than estimated where possible.

## Recommendations

1. Report measured energy at the rack, using the Rack-Scale Power Telemetry Profile.
2. Report the data centre's PUE and the carbon intensity of its grid for the training period.
3. Report failed and restarted runs, not only the final one.
"""

ATI = """\
# Accelerator Telemetry Interface (ATI) 1.0

## Abstract

ATI is a vendor-neutral interface through which schedulers and monitoring systems read
utilisation, memory, thermal and error counters from AI accelerators.

## 1. Counters

| counter | unit | required |
|---|---|---|
| `ati_utilisation` | ratio | yes |
| `ati_memory_used` | bytes | yes |
| `ati_temperature` | degrees Celsius | yes |
| `ati_ecc_errors_total` | count | yes |
| `ati_power` | watts | no |

## 2. Access

Counters are exposed over a local socket and, optionally, an OpenMetrics endpoint.
"""

ATI_R2 = """\
- Added `ati_memory_bandwidth` (bytes per second) and `ati_interconnect_bandwidth`, requested
  in review by two schedulers.
- `ati_power` is now required when the hardware exposes it.
"""

LANTERNFISH = """\
# Project proposal: adopt Lanternfish Inference Runtime

## The project

Lanternfish serves open-weight language models on commodity accelerators, with paged attention,
speculative decoding and an OpenAI-compatible HTTP interface.

- Licence: Apache-2.0
- Maintainers: 14, from 6 organizations (no organization has more than 4)
- Adopters: 11 production deployments, 3 of them in the public sector

## Why the alliance

Lanternfish is the runtime most members already use for open models. Neutral governance and a
security process under the alliance would make it safer to depend on.

## Resources requested

CI on three accelerator families, a security audit in the first year, and hosting costs of
about 30 000 EUR a year.
"""

OMPF = """\
# Open Model Packaging Format (OMPF) 1.0

## Abstract

OMPF packages an open model as an OCI artifact: weights, tokenizer, configuration, model card
and licence, with digests, so that any registry can store it and any runtime can load it.

## 1. Layers

1. `config`: architecture and hyper-parameters (JSON)
2. `weights`: one or more tensor files in the safetensors format
3. `tokenizer`: tokenizer files
4. `card`: the model card, including a MERF report where one exists
5. `licence`: the licence text, with its SPDX identifier in the manifest

## 2. Signing

Packages are signed; a runtime should refuse an unsigned package unless told otherwise.
"""

OMPF_R2 = """\
- The manifest records the SPDX identifier of the weights' licence separately from the code's.
- Section 2 now names the signature envelope and the key-discovery mechanism.
"""

WATERMARK = """\
# Guideline: Mandatory Watermarking of Generated Media

## Proposal

Members that publish image, audio or video generation models should embed an imperceptible
watermark in every output, and publish a detector.

## Rationale

Watermarks let platforms label generated media and help researchers study its spread.

## Open questions

Robustness: current watermarking schemes can be removed by re-encoding or cropping. The
guideline proposes to require watermarking now and revisit the technique yearly.
"""

WEIGHTS_LICENSING = """\
# Guideline: Licensing Open Model Weights

## Purpose

"Open model" is used for very different licences. This guideline recommends how members
license weights they call open, and how they describe the licence.

## Recommendations

1. Use an OSI-approved licence, or the alliance's Open Weights Licence, for weights called open.
2. State separately the licence of the weights, of the code, and of the training data.
3. Do not call a model open if its licence restricts fields of use.
"""

WEIGHTS_LICENSING_R2 = """\
- Section 1 now distinguishes *open weights* (weights under an open licence) from *open
  source models* (weights, code and training data under open licences).
- Adds a table comparing the licences most often used for weights.
"""

TESSELLATE = """\
# Project proposal: adopt Tessellate Federated Fine-Tuning Framework

## The project

Tessellate fine-tunes open models across institutions that cannot share their data, such as
hospitals, using federated averaging with secure aggregation.

- Licence: Apache-2.0
- Maintainers: 5, from 2 universities and a health data cooperative

## Why the alliance

Tessellate needs neutral governance before more hospitals will run it, and a security audit of
its aggregation protocol.

## Resources requested

A security audit, and CI with two accelerator families.
"""
