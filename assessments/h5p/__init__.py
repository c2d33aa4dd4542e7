"""H5P packages: the archive rules (``archive``), what a content type's own parameters say
its maximum score is (``scoring``) and the reading of xAPI statements (``xapi``). Pure
Python; the models, services and views use them."""
