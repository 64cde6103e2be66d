// server.h — wires the /api routes and the /__sim admin endpoints into an httplib::Server.
#pragma once
#include "api.h"

namespace httplib {
class Server;
}

namespace sim {

void install_api(httplib::Server& svr, State& st);
void install_admin(httplib::Server& svr, State& st);
// Valid revision strings (GA and .pre) the simulator accepts.
bool valid_revision(const std::string& r);

}  // namespace sim
