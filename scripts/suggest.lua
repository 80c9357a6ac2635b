-- wrk script: cycles through search-box queries as a citizen types them (Dutch and English).
local queries = {
  "heftruk", "boekhoud", "lasser", "heftruck%20chauffeur", "heftruckchauffeur", "coordinator",
  "magazijnmedewerker", "verpleegk", "kinderverzorg", "elektricien", "vrachtwagenchauf",
  "software%20develop", "bookkeeper", "forklift%20oper", "nurse", "welding", "accountan",
  "project%20manag", "data%20analyst", "kapper", "schrijnwerker", "logistiek%20medewerker",
  "customer%20servic", "teacher", "boekhouder%20kassier", "zorgkundige", "metselaar",
  "manage%20musical%20st", "programmeur", "schoonmaker",
}
local i = 0
request = function()
  i = i + 1
  local q = queries[(i % #queries) + 1]
  local lang = (i % 3 == 0) and "en" or "nl"
  return wrk.format("GET", "/v1/suggest?q=" .. q .. "&lang=" .. lang)
end
