"""The embedded local AWS: template.yaml and the ASL files deployed into moto, handlers run in-process.

What is tested is what `sam deploy` ships: the SAM transform runs offline on the real template,
every resource is created through the AWS API (moto), the state machines execute the real ASL,
and Lambda invocations run the real handlers in this process. See infra/local/README.md.
"""
