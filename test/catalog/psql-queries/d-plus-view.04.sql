SELECT pg_catalog.pg_get_viewdef('{{oid}}'::pg_catalog.oid, true);
