locals {
  name = lower(var.name)
  joined = join("-", [var.org,var.env])
  merged = merge(local.tags, {
        Name = "assistant"
        Owner = "ml-platform"
      })
  args = concat(
          local.a,
      local.b,
    )
  picked = var.strict ? "geography" : "global"
  chosen = var.strict ? [
      "region",
  ] : ["region", "geography"]
  upper_names = [for n in var.names : upper(n)]
  by_region = {
    for t in local.targets :
        t.region => t.name
    if t.enabled
  }
  total = (
    var.a +
    var.b
  )
  first = var.list[0]
  ids = var.targets[*].id
  negated = !var.flag
  formatted = format("%s-%s", var.a, var.b)
}
